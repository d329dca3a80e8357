#pragma once
// Compression passes in a workspace file (internal to core/workspace; callers hold hdf5Lock()):
//   /passes/<id>/                attrs method, target_ratio, ratio, parameters_before,
//                                parameters_after (int64), seconds, spectrum_of, parameters_added
//                                (int64), decoder_macs_before, decoder_macs_after (float64; absent
//                                before HiMix: 0), model_kind ("language" or "vision"; version 1:
//                                language only), calibration ("text", "images", "image questions"
//                                or ""), calibration_count (int64; version 1
//                                wrote calibration_documents), date, export_path, export_format
//   /passes/<id>/settings        one float64 attribute per setting
//   /passes/<id>/data/<role>     attrs role, path, bytes (int64), content_hash
//   /passes/<id>/layers/<index>  attrs name, rows, cols, rank (int64), dense (int64, 0 or 1);
//                                float32 datasets singular_values[p] and, for SoCo, gains[p]
//   /passes/<id>/log             the training steps: int64 step[n], stage[n] (an index into
//                                the attr stages, names joined by newlines); attrs values and
//                                counts (names, likewise); float64 value/<name>[n]; int64
//                                count/<name>[n, sites]. Version 1 wrote float64 loss[n], kl[n],
//                                ratio[n], int64 active[n, layers] and numbered stages instead:
//                                read as values loss, kl, ratio, count active, stages "1", "2", "3".
//   /passes/<id>/evaluations/…   perplexities of the original and the compressed model side by
//                                side, laid out as the workspace's own (evaluation_records.h)
// <id> numbers them in the order they were saved: "000001", "000002"…; <index> keeps the
// layers in projection order: "000000", "000001"…. Groups under other names are not this
// version's: they are neither read nor touched.

#include "records/pass_record.h"

#include <hdf5.h>

#include <vector>

namespace sculpt {

// Every pass in the file, in id order. Throws hdf5::Failure when one is damaged.
std::vector<PassRecord> readPasses(hid_t file);

// Adds `passes` under ids after the file's last, and sets their ids; a pass that has an id
// already is written under it, replacing what the file holds there.
void writePasses(hid_t file, std::vector<PassRecord> &passes);

} // namespace sculpt
