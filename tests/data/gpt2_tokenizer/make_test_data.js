#!/usr/bin/env node
// Makes the GPT-2 tokenizer test data in this folder, once; the tests never run it.
//
//   npm install gpt-3-encoder@1.1.4 js-tiktoken@1.0.21      (in an empty folder)
//   node PATH/TO/make_test_data.js node_modules TINYSTORIES_VAL_TXT
//
// tokenizer.json.gz: GPT-2's vocabulary and merges (gpt-3-encoder's encoder.json and
// vocab.bpe, OpenAI's files) in the Hugging Face tokenizer.json layout of
// openai-community/gpt2. expected.json: real passages and the ids GPT-2's encoder gives
// them, from two independent JavaScript encoders that must agree: gpt-3-encoder (a port of
// OpenAI's encoder.py, merges by rank) and js-tiktoken's "gpt2" (OpenAI's ranks, merges by
// token rank).

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const [modulesArg, storiesPath] = process.argv.slice(2);
if (!modulesArg || !storiesPath) {
    console.error("usage: node make_test_data.js NODE_MODULES TINYSTORIES_VAL_TXT");
    process.exit(2);
}
const modules = path.resolve(modulesArg);
const encoderDir = path.join(modules, "gpt-3-encoder");
const gpt3encoder = require(encoderDir);
const { getEncoding } = require(path.join(modules, "js-tiktoken"));
const tiktoken = getEncoding("gpt2");

const vocab = JSON.parse(fs.readFileSync(path.join(encoderDir, "encoder.json"), "utf-8"));
// vocab.bpe: a "#version" line, one "left right" merge per line, a trailing newline.
const merges = fs.readFileSync(path.join(encoderDir, "vocab.bpe"), "utf-8").split("\n").slice(1).filter(l => l.length);

const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [{ id: 50256, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false,
                     normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "",
             fuse_unk: false, byte_fallback: false, vocab, merges },
};
fs.writeFileSync(path.join(__dirname, "tokenizer.json.gz"),
                 zlib.gzipSync(Buffer.from(JSON.stringify(tokenizer), "utf-8"), { level: 9 }));

// TinyStories blocks as sculpt-cli eval reads them: between blank lines, stripped.
const blocks = fs.readFileSync(storiesPath, "utf-8").split("\n\n").map(b => b.trim()).filter(b => b.length);
const passages = blocks.slice(0, 40);
// Blocks with the sample's mojibake ("â€™" for "’") and curly quotes.
for (const i of [1918, 1936, 1956, 2016, 2167])
    passages.push(blocks[i]);
passages.push(blocks.slice(0, 10).join("\n\n"));
passages.push(
    "Hello world! It's 2024, isn't it? I'm sure they'll say we'd've done it. IT'S LOUD, YOU'RE RIGHT.",
    "pi is 3.14159265358979; 1,000,000 people; 12345678901234567890 grains; the 4th and 21st of May.",
    "Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00c5ngstr\u00f6m fa\u00e7ade Z\u00fcrich S\u00e3o Paulo \u0153uvre "
        + "cre\u0300me bru\u0302le\u0301e (combining accents)",
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u0440\u0443\u0441\u0441\u043a\u0438\u0439 "
        + "\u4e2d\u6587\u5b57\u7b26 \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \ud55c\uad6d\uc5b4 "
        + "\u05e2\u05d1\u05e8\u05d9\u05ea \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0939\u093f\u0928\u094d\u0926\u0940",
    "I love \ud83c\udf55 and \ud83d\ude80\ud83d\ude80! \ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67 \u2764\ufe0f "
        + "\ud83d\udc4d\ud83c\udffd done.",
    "a  b   c\n\n\nd\t\te \n  \n   end   ",
    "   leading spaces, trailing ones   ",
    "line one\r\nline two\r\n\r\nline four\u2028after a line separator\u3000ideographic space",
    "100\u00a0km, 5\u202f%, x\u2009y",
    "--- !!! ??? ... (parentheses) [brackets] {braces} <tags> @user #hash $100 %50 ^&* ~`|\\/",
    "abc123def \u00b2\u00b3 \u00bd \u216b \u0661\u0662\u0663 \u0967\u0968 x\u00b2+y\u00b2",
    "def f(x):\n    return x**2  # square\n\n\nif __name__ == \"__main__\":\n\tprint(f(3))\n",
    "don\u2019t won\u2019t \u201cquoted\u201d \u2018single\u2019 \u00abguillemets\u00bb \u2014 em dash \u2026",
    "'s 't 're 've 'm 'll 'd 'S 'T 'x ''s",
    " ",
    "\n",
    "x",
);

const expected = passages.map(text => {
    const ids = gpt3encoder.encode(text);
    const check = Array.from(tiktoken.encode(text));
    if (JSON.stringify(ids) !== JSON.stringify(check))
        throw new Error("the two encoders disagree on " + JSON.stringify(text));
    if (gpt3encoder.decode(ids) !== text)
        throw new Error("gpt-3-encoder does not decode back " + JSON.stringify(text));
    return { text, ids };
});
fs.writeFileSync(path.join(__dirname, "expected.json"),
                 "[\n" + expected.map(e => JSON.stringify(e)).join(",\n") + "\n]\n");
console.log(passages.length + " passages, " + expected.reduce((n, e) => n + e.ids.length, 0) + " tokens");
