#include "io/pickle.h"

#include "io/checkpoint.h"

#include <array>
#include <bit>
#include <cstdio>
#include <unordered_map>

namespace sculpt::pickle {

const std::string *Value::string() const
{
    const auto *s = std::get_if<String>(&data);
    return s ? &s->text : nullptr;
}

const Tensor *Value::tensor() const
{
    const auto *t = std::get_if<const Tensor *>(&data);
    return t ? *t : nullptr;
}

namespace {

constexpr std::array kAllowed = {
    Global{"collections.OrderedDict", Callable::OrderedDict, DType::F32},
    Global{"torch._utils._rebuild_tensor_v2", Callable::RebuildTensor, DType::F32},
    Global{"torch._utils._rebuild_parameter", Callable::RebuildParameter, DType::F32},
    Global{"torch.FloatStorage", Callable::StorageType, DType::F32},
    Global{"torch.DoubleStorage", Callable::StorageType, DType::F64},
    Global{"torch.HalfStorage", Callable::StorageType, DType::F16},
    Global{"torch.BFloat16Storage", Callable::StorageType, DType::BF16},
    Global{"torch.LongStorage", Callable::StorageType, DType::I64},
    Global{"torch.IntStorage", Callable::StorageType, DType::I32},
    Global{"torch.ShortStorage", Callable::StorageType, DType::I16},
    Global{"torch.CharStorage", Callable::StorageType, DType::I8},
    Global{"torch.ByteStorage", Callable::StorageType, DType::U8},
    Global{"torch.BoolStorage", Callable::StorageType, DType::BOOL},
};

enum class Op : uint8_t {
    Mark = '(', Stop = '.', Pop = '0', PopMark = '1', Dup = '2', BinFloat = 'G', BinInt = 'J', BinInt1 = 'K',
    BinInt2 = 'M', None = 'N', BinPersId = 'Q', Reduce = 'R', BinString = 'T', ShortBinString = 'U',
    BinUnicode = 'X', BinBytes = 'B', ShortBinBytes = 'C', Append = 'a', Build = 'b', Global = 'c', Dict = 'd',
    Appends = 'e', BinGet = 'h', LongBinGet = 'j', List = 'l', BinPut = 'q', LongBinPut = 'r', SetItem = 's',
    Tuple = 't', SetItems = 'u', EmptyDict = '}', EmptyList = ']', EmptyTuple = ')',
    Proto = 0x80, Tuple1 = 0x85, Tuple2 = 0x86, Tuple3 = 0x87, NewTrue = 0x88, NewFalse = 0x89, Long1 = 0x8a,
    ShortBinUnicode = 0x8c, BinUnicode8 = 0x8d, BinBytes8 = 0x8e, StackGlobal = 0x93, Memoize = 0x94,
    Frame = 0x95,
};

// Names and strings from the file end up in one-line error messages: keep them short and
// free of control characters.
std::string printable(std::string_view s)
{
    constexpr size_t kMax = 80;
    std::string out;
    for (const char c : s.substr(0, kMax))
        out += c >= 0x20 && c < 0x7f ? c : '?';
    if (s.size() > kMax)
        out += "...";
    return out;
}

std::string opName(uint8_t op)
{
    char text[8];
    if (op >= 0x20 && op < 0x7f)
        std::snprintf(text, sizeof text, "'%c'", op);
    else
        std::snprintf(text, sizeof text, "0x%02x", op);
    return text;
}

} // namespace

class Unpickler {
public:
    Unpickler(Document &doc, std::span<const std::byte> in) : doc_(doc), in_(in) {}

    const Value *run()
    {
        while (pos_ < in_.size()) {
            opStart_ = pos_;
            const auto op = std::to_integer<uint8_t>(in_[pos_++]);
            if (static_cast<Op>(op) == Op::Stop)
                return pop();
            step(op);
        }
        opStart_ = pos_;
        fail("pickle ends without STOP (truncated)");
    }

private:
    Document &doc_;
    std::span<const std::byte> in_;
    size_t pos_ = 0;
    size_t opStart_ = 0;
    std::vector<Value *> stack_;
    std::vector<size_t> marks_; // stack_ sizes at each MARK
    std::unordered_map<uint64_t, Value *> memo_;
    std::unordered_map<std::string, Value *> storages_; // by key: one storage, however often named

    [[noreturn]] void fail(const std::string &why) const
    {
        throw Error(why + " (at byte " + std::to_string(opStart_) + ")");
    }

    // ---- input ----

    const std::byte *take(uint64_t n)
    {
        if (n > in_.size() - pos_)
            fail("pickle is truncated inside opcode " + opName(std::to_integer<uint8_t>(in_[opStart_])));
        const std::byte *p = in_.data() + pos_;
        pos_ += static_cast<size_t>(n);
        return p;
    }

    uint64_t readLE(size_t n)
    {
        const std::byte *p = take(n);
        uint64_t v = 0;
        for (size_t i = n; i-- > 0;)
            v = (v << 8) | std::to_integer<uint64_t>(p[i]);
        return v;
    }

    uint64_t readBE(size_t n)
    {
        const std::byte *p = take(n);
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i)
            v = (v << 8) | std::to_integer<uint64_t>(p[i]);
        return v;
    }

    std::string readText(uint64_t length)
    {
        const auto *p = reinterpret_cast<const char *>(take(length));
        return std::string(p, static_cast<size_t>(length));
    }

    std::string_view readLine()
    {
        const auto *begin = reinterpret_cast<const char *>(in_.data() + pos_);
        const std::string_view rest(begin, in_.size() - pos_);
        const size_t end = rest.find('\n');
        if (end == std::string_view::npos)
            fail("pickle is truncated inside GLOBAL");
        pos_ += end + 1;
        return rest.substr(0, end);
    }

    // ---- the stack ----

    template <typename T> Value *make(T &&data)
    {
        if (doc_.values_.size() >= kMaxValues)
            fail("pickle holds more than " + std::to_string(kMaxValues) + " values");
        doc_.values_.push_back(Value{std::forward<T>(data)});
        return &doc_.values_.back();
    }

    void push(Value *v)
    {
        if (stack_.size() >= kMaxStack)
            fail("pickle stack grows past " + std::to_string(kMaxStack) + " entries");
        stack_.push_back(v);
    }

    size_t markBase() const { return marks_.empty() ? 0 : marks_.back(); }

    // Python's stack is split at each MARK; an opcode never reaches below the latest one.
    Value *top() const
    {
        if (stack_.size() <= markBase())
            fail("pickle stack underflow");
        return stack_.back();
    }

    Value *pop()
    {
        Value *v = top();
        stack_.pop_back();
        return v;
    }

    std::vector<const Value *> popToMark()
    {
        if (marks_.empty())
            fail("pickle uses a MARK it never set");
        const size_t base = marks_.back();
        marks_.pop_back();
        std::vector<const Value *> items(stack_.begin() + static_cast<ptrdiff_t>(base), stack_.end());
        stack_.resize(base);
        return items;
    }

    std::vector<const Value *> popN(size_t n)
    {
        if (stack_.size() < markBase() + n)
            fail("pickle stack underflow");
        std::vector<const Value *> items(stack_.end() - static_cast<ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        return items;
    }

    template <typename T> T &topAs(const char *op, const char *what)
    {
        T *target = std::get_if<T>(&top()->data);
        if (!target)
            fail(std::string(op) + " applied to something other than a " + what);
        return *target;
    }

    // ---- opcodes ----

    void step(uint8_t op)
    {
        switch (static_cast<Op>(op)) {
        case Op::Proto: protocol(); return;
        case Op::Frame: frame(); return;
        case Op::Mark: mark(); return;
        case Op::Pop: popOrMark(); return;
        case Op::PopMark: popToMark(); return;
        case Op::Dup: push(top()); return;
        case Op::EmptyDict: push(make(Dict{})); return;
        case Op::EmptyList: push(make(List{})); return;
        case Op::EmptyTuple: push(make(Tuple{})); return;
        case Op::Tuple: push(make(Tuple{popToMark()})); return;
        case Op::Tuple1: push(make(Tuple{popN(1)})); return;
        case Op::Tuple2: push(make(Tuple{popN(2)})); return;
        case Op::Tuple3: push(make(Tuple{popN(3)})); return;
        case Op::List: push(make(List{popToMark()})); return;
        case Op::Dict: dict(); return;
        case Op::Append: append(popN(1)); return;
        case Op::Appends: append(popToMark()); return;
        case Op::SetItem: setItems(popN(2)); return;
        case Op::SetItems: setItems(popToMark()); return;
        case Op::BinInt: push(make(int64_t{static_cast<int32_t>(readLE(4))})); return;
        case Op::BinInt1: push(make(static_cast<int64_t>(readLE(1)))); return;
        case Op::BinInt2: push(make(static_cast<int64_t>(readLE(2)))); return;
        case Op::Long1: long1(); return;
        case Op::BinFloat: push(make(std::bit_cast<double>(readBE(8)))); return;
        case Op::None: push(make(std::monostate{})); return;
        case Op::NewTrue: push(make(true)); return;
        case Op::NewFalse: push(make(false)); return;
        case Op::ShortBinUnicode:
        case Op::ShortBinString: push(make(String{readText(readLE(1))})); return;
        case Op::BinUnicode: push(make(String{readText(readLE(4))})); return;
        case Op::BinUnicode8: push(make(String{readText(readLE(8))})); return;
        case Op::BinString: binString(); return;
        case Op::ShortBinBytes: push(make(Bytes{readText(readLE(1))})); return;
        case Op::BinBytes: push(make(Bytes{readText(readLE(4))})); return;
        case Op::BinBytes8: push(make(Bytes{readText(readLE(8))})); return;
        case Op::BinPut: memoize(readLE(1)); return;
        case Op::LongBinPut: memoize(readLE(4)); return;
        case Op::Memoize: memoize(memo_.size()); return;
        case Op::BinGet: recall(readLE(1)); return;
        case Op::LongBinGet: recall(readLE(4)); return;
        case Op::Global: global(); return;
        case Op::StackGlobal: stackGlobal(); return;
        case Op::Reduce: reduce(); return;
        case Op::Build: build(); return;
        case Op::BinPersId: push(persistentLoad(*pop())); return;
        case Op::Stop: break; // handled by run()
        }
        fail("unsupported pickle opcode " + opName(op));
    }

    void protocol()
    {
        const uint64_t version = readLE(1);
        if (version > 5)
            fail("unsupported pickle protocol " + std::to_string(version));
    }

    // Protocol 4 frames only group opcodes for buffering; the bytes inside are read as usual.
    void frame()
    {
        const uint64_t length = readLE(8);
        if (length > in_.size() - pos_)
            fail("pickle frame of " + std::to_string(length) + " bytes runs past the end");
    }

    void mark()
    {
        if (marks_.size() >= kMaxStack)
            fail("pickle sets more than " + std::to_string(kMaxStack) + " marks");
        marks_.push_back(stack_.size());
    }

    // Python's POP discards the mark itself when nothing sits above it.
    void popOrMark()
    {
        if (stack_.size() > markBase())
            stack_.pop_back();
        else
            popToMark();
    }

    void dict()
    {
        const auto items = popToMark();
        Value *v = make(Dict{});
        push(v);
        setItems(items);
    }

    void append(const std::vector<const Value *> &items)
    {
        auto &list = topAs<List>("APPEND", "list").items;
        list.insert(list.end(), items.begin(), items.end());
    }

    void setItems(const std::vector<const Value *> &items)
    {
        if (items.size() % 2 != 0)
            fail("SETITEMS with a key but no value");
        auto &entries = topAs<Dict>("SETITEM", "dict").entries;
        for (size_t i = 0; i < items.size(); i += 2)
            entries.emplace_back(items[i], items[i + 1]);
    }

    void long1()
    {
        const uint64_t width = readLE(1);
        if (width > 8)
            fail("integer of " + std::to_string(width) + " bytes does not fit in 64 bits");
        uint64_t v = readLE(static_cast<size_t>(width));
        if (width > 0 && width < 8 && (v >> (8 * width - 1)) != 0)
            v |= ~uint64_t{0} << (8 * width); // sign-extend the two's complement value
        push(make(static_cast<int64_t>(v)));
    }

    void binString()
    {
        const auto length = static_cast<int32_t>(readLE(4));
        if (length < 0)
            fail("BINSTRING with a negative length");
        push(make(String{readText(static_cast<uint64_t>(length))}));
    }

    void memoize(uint64_t index)
    {
        Value *v = top();
        if (memo_.size() >= kMaxMemo && !memo_.count(index))
            fail("pickle memo grows past " + std::to_string(kMaxMemo) + " entries");
        memo_[index] = v;
    }

    void recall(uint64_t index)
    {
        const auto it = memo_.find(index);
        if (it == memo_.end())
            fail("pickle reads memo entry " + std::to_string(index) + ", which was never stored");
        push(it->second);
    }

    // The gate: a global outside the allowed list is refused before anything can use it.
    void pushGlobal(std::string_view module, std::string_view name)
    {
        const std::string dotted = std::string(module) + "." + std::string(name);
        for (const auto &allowed : kAllowed)
            if (allowed.name == dotted) {
                push(make(&allowed));
                return;
            }
        fail("pickle refers to forbidden global " + printable(dotted) +
             "; Sculpt reads tensors and state_dicts only and never runs pickled code");
    }

    void global()
    {
        const std::string module(readLine());
        pushGlobal(module, readLine());
    }

    void stackGlobal()
    {
        const Value *name = pop();
        const Value *module = pop();
        if (!name->string() || !module->string())
            fail("STACK_GLOBAL needs a module and a name string");
        pushGlobal(*module->string(), *name->string());
    }

    void reduce()
    {
        const Value *args = pop();
        const Value *callee = pop();
        const auto *global = std::get_if<const pickle::Global *>(&callee->data);
        const auto *tuple = std::get_if<pickle::Tuple>(&args->data);
        if (!global)
            fail("REDUCE calls something that is not a global");
        if (!tuple)
            fail("REDUCE passes " + std::string((*global)->name) + " arguments that are not a tuple");
        push(call(**global, tuple->items));
    }

    Value *call(const pickle::Global &callee, const std::vector<const Value *> &args)
    {
        switch (callee.callable) {
        case Callable::OrderedDict:
            if (!args.empty())
                fail("collections.OrderedDict called with arguments");
            return make(pickle::Dict{});
        case Callable::RebuildTensor:
            return make(rebuildTensor(args));
        case Callable::RebuildParameter:
            if (args.size() != 3 || !args[0]->tensor() || !std::holds_alternative<bool>(args[1]->data))
                fail("_rebuild_parameter needs (tensor, requires_grad, hooks)");
            return make(args[0]->tensor());
        case Callable::StorageType:
            break;
        }
        fail(std::string(callee.name) + " cannot be called");
    }

    // BUILD sets an object's state; a state_dict's only state is its `_metadata`, unused here.
    void build()
    {
        pop();
        if (!std::holds_alternative<pickle::Dict>(top()->data))
            fail("BUILD applied to something other than a dict");
    }

    int64_t nonNegative(const Value &v, const std::string &what)
    {
        const auto *i = std::get_if<int64_t>(&v.data);
        if (!i || *i < 0)
            fail(what + " is not a non-negative integer");
        return *i;
    }

    std::vector<int64_t> dimensions(const Value &v, const std::string &what)
    {
        const auto *tuple = std::get_if<pickle::Tuple>(&v.data);
        if (!tuple)
            fail(what + " is not a tuple");
        if (tuple->items.size() > kMaxDims)
            fail(what + " has " + std::to_string(tuple->items.size()) + " dimensions");
        std::vector<int64_t> out;
        for (const Value *d : tuple->items)
            out.push_back(nonNegative(*d, what + " element"));
        return out;
    }

    const Tensor *rebuildTensor(const std::vector<const Value *> &args)
    {
        if (args.size() != 6 && args.size() != 7)
            fail("_rebuild_tensor_v2 takes 6 or 7 arguments, not " + std::to_string(args.size()));
        const auto *storage = std::get_if<const Storage *>(&args[0]->data);
        if (!storage)
            fail("_rebuild_tensor_v2: first argument is not a storage");
        Tensor t{*storage, static_cast<uint64_t>(nonNegative(*args[1], "tensor storage offset")), 0,
                 dimensions(*args[2], "tensor size"), dimensions(*args[3], "tensor stride")};
        if (t.shape.size() != t.strides.size())
            fail("tensor size and stride have different lengths");
        if (!std::holds_alternative<bool>(args[4]->data))
            fail("_rebuild_tensor_v2: requires_grad is not a bool");
        t.extent = extent(t);
        doc_.tensors_.push_back(std::move(t));
        return &doc_.tensors_.back();
    }

    // Elements the tensor reaches from its offset, checked to stay inside the storage.
    uint64_t extent(const Tensor &t)
    {
        // Element counts stay within int64 so TensorInfo's signed stride arithmetic cannot overflow.
        const auto elements = checkedElements(t.shape);
        if (!elements || *elements > static_cast<uint64_t>(INT64_MAX))
            fail("tensor size overflows");
        if (*elements == 0)
            return 0;
        uint64_t reach = 1;
        for (size_t i = 0; i < t.shape.size(); ++i) {
            uint64_t step = 0;
            if (__builtin_mul_overflow(static_cast<uint64_t>(t.shape[i] - 1), static_cast<uint64_t>(t.strides[i]),
                                       &step) ||
                __builtin_add_overflow(reach, step, &reach))
                fail("tensor strides overflow");
        }
        uint64_t end = 0;
        if (__builtin_add_overflow(t.offset, reach, &end) || end > t.storage->numel)
            fail("tensor reaches element " + std::to_string(t.offset) + " + " + std::to_string(reach) +
                 " of storage " + printable(t.storage->key) + ", which holds " +
                 std::to_string(t.storage->numel));
        return reach;
    }

    // torch.save writes each storage as ('storage', <StorageClass>, key, location, numel).
    Value *persistentLoad(const Value &pid)
    {
        const auto *tuple = std::get_if<pickle::Tuple>(&pid.data);
        if (!tuple || tuple->items.size() != 5 || !tuple->items[0]->string() ||
            *tuple->items[0]->string() != "storage")
            fail("persistent id is not a ('storage', type, key, location, numel) tuple");
        const auto &items = tuple->items;
        const auto *type = std::get_if<const pickle::Global *>(&items[1]->data);
        if (!type || (*type)->callable != Callable::StorageType)
            fail("persistent id names no storage type");
        if (!items[2]->string() || !items[3]->string())
            fail("persistent id key or location is not a string");
        const Storage storage{*items[2]->string(), (*type)->storageType,
                              static_cast<uint64_t>(nonNegative(*items[4], "storage size"))};
        if (const auto it = storages_.find(storage.key); it != storages_.end()) {
            const Storage &seen = **std::get_if<const Storage *>(&it->second->data);
            if (seen.dtype != storage.dtype || seen.numel != storage.numel)
                fail("storage " + printable(storage.key) + " is described twice, differently");
            return it->second;
        }
        doc_.storages_.push_back(storage);
        Value *v = make(static_cast<const Storage *>(&doc_.storages_.back()));
        storages_.emplace(storage.key, v);
        return v;
    }
};

Document::Document(std::span<const std::byte> pickle) { root_ = Unpickler(*this, pickle).run(); }

} // namespace sculpt::pickle
