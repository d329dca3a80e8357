#include "builtin_passes.h"

#include "asvd/asvd_pass.h"
#include "fwsvd/fwsvd_pass.h"
#include "heat/head_strategies.h"
#include "himix/himix_pass.h"
#include "lily/lily_kind.h"
#include "pear/pear_method.h"
#include "soco/soco_pass.h"
#include "svd/svd_pass.h"
#include "svd_llm/svd_llm_pass.h"

namespace sculpt {

void registerBuiltinPasses()
{
    registerPass(makeSvdPass());
    registerPass(makeFwsvdPass());
    registerPass(makeAsvdPass());
    registerPass(makeSvdLlmPass());
    registerPass(makeSocoPass());
    registerPass(makeHimixPass());
    registerHeadScoreStrategies();
    registerLilyAdapter();
    registerPear();
}

} // namespace sculpt
