#!/usr/bin/env python3
"""Keeps the few inputs a fuzzing run found that are worth committing: those that reach the
most code the committed corpus does not, up to a handful per target.

    tests/fuzz/pick_inputs.py TARGET GROWN_CORPUS [COUNT] [BUILD_DIR]

GROWN_CORPUS is a folder a run filled (run_fuzzers.sh leaves one per target in its scratch
folder). A merge keeps the inputs that reach an edge tests/fuzz/corpus/TARGET does not; a
merge of each of them alone measures the coverage edges it reaches, and they are picked
greedily, each adding the most edges that neither the corpus nor the inputs picked before
it cover, until COUNT (default 20) are picked or none adds an edge. They are copied there
as found-<sha1>. `-merge=1` alone would keep every input with a new feature: hundreds for
the JSON readers, where the corpus should hold tens. Measuring takes a second or so per
merged input (two processes each)."""
import hashlib, pathlib, shutil, subprocess, sys, tempfile

here = pathlib.Path(__file__).resolve().parent


def edges_of(binary, path, scratch):
    """The coverage edges `binary` reaches on the input at `path`, read from the control
    file of a merge of that input alone. (One merge of everything would not do: it lists
    for each input only the edges no smaller input reached before it.)"""
    folder, out, control = scratch / "in", scratch / "out", scratch / "control.txt"
    for d in (folder, out):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
    shutil.copyfile(path, folder / "input")
    control.unlink(missing_ok=True)
    # An input that crashes the target reaches nothing here: it is a finding, not coverage.
    subprocess.run([str(binary), "-merge=1", "-use_counters=0", f"-merge_control_file={control}", str(out), str(folder)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    edges = set()
    for line in (control.read_text().splitlines() if control.exists() else []):
        if line.startswith("COV "):
            edges |= set(line.split()[2:])
    return edges


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    target, grown = sys.argv[1], pathlib.Path(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    build = pathlib.Path(sys.argv[4]) if len(sys.argv) > 4 else here.parent.parent / "build-fuzz"
    binary = build / "tests" / "fuzz" / f"fuzz_{target}"
    corpus = here / "corpus" / target
    if not binary.exists():
        sys.exit(f"{binary} is not built (see run_fuzzers.sh)")
    seeds = sorted(p for p in corpus.iterdir() if p.is_file())
    with tempfile.TemporaryDirectory(prefix="sculpt-pick-") as scratch:
        scratch = pathlib.Path(scratch)
        # One merge first narrows thousands of inputs to those with an edge the committed
        # corpus lacks; only these are measured alone.
        merged = scratch / "merged"
        merged.mkdir()
        for seed in seeds:
            shutil.copyfile(seed, merged / seed.name)
        subprocess.run([str(binary), "-merge=1", "-use_counters=0", str(merged), str(grown)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seed_names = {s.name for s in seeds}
        found = sorted(p for p in merged.iterdir() if p.name not in seed_names)
        covered = set()
        for path in seeds:
            covered |= edges_of(binary, path, scratch)
        candidates = {p: edges_of(binary, p, scratch) - covered for p in found}
        sizes = {p: p.stat().st_size for p in found}
        data = {p: p.read_bytes() for p in found}
    picked = []
    while len(picked) < count and candidates:
        # Most new edges first; on a tie the smaller input.
        best = max(candidates, key=lambda p: (len(candidates[p]), -sizes[p]))
        if not candidates[best]:
            break
        gained = candidates.pop(best)
        covered |= gained
        picked.append((best, len(gained)))
        candidates = {p: e - gained for p, e in candidates.items()}
    for path, gained in picked:
        name = "found-" + hashlib.sha1(data[path]).hexdigest()[:16]
        (corpus / name).write_bytes(data[path])
        print(f"{target}: {name} ({sizes[path]} bytes) adds {gained} edges")
    print(f"{target}: kept {len(picked)} inputs, {len(covered)} edges covered")


if __name__ == "__main__":
    main()
