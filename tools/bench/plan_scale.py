#!/usr/bin/env python3
"""Scale benchmark of the incremental core, printed side by side.

For synthetic projects of N cues (default 1k, 10k, 100k) it measures, in one run:
  - `foley plan` from scratch (wall time, peak RSS)
  - re-plan after editing one cue's prompt
  - no-op `ninja` on foley's graph, against two plain ninja graphs with the same
    number of edges (built once with `touch`/`cp`): one with short paths
    (obj/xx/oN.wav), and one with exactly foley's nodes (same paths) but no
    variables, pools, generator edge or phonies -- foley's own overhead
  - optionally (`--dvc`) the same cues as a DVC pipeline, timing `dvc status`

The no-op needs a built graph; building foley's graph runs one foley-gen per
edge, so it is done only up to --build-max cues (default 10k).

With --baseline OTHER_BUILD_DIR, the same plan, re-plan and no-op measurements
are taken with that build's binaries too, in the same run on twin projects, and
printed side by side (before/after a change).

Usage: tools/bench/plan_scale.py BUILD_DIR [--sizes 1000,10000,100000] [--dvc] [--baseline DIR]
Standard library only; DVC is installed into tools/bench/.venv when asked for.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd, cwd, env=None):
    """Runs cmd; returns (wall seconds, peak RSS in MiB). Raises on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {err[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0


def best_of(n, fn):
    results = [fn() for _ in range(n)]
    return min(r[0] for r in results), max(r[1] for r in results)


def make_project(path, n, template):
    os.makedirs(os.path.join(path, "manifests"))
    with open(os.path.join(path, "foley.toml"), "w") as f:
        f.write('[project]\nname = "bench"\ndefault_engine = "copy"\n'
                '[render]\nsample_rate = 16000\nbit_depth = 16\n'
                '[engines.copy]\nengine = "exec"\n'
                # The seed makes every cue a distinct generation; the command ignores it.
                f'command = ["sh", "-c", "cp \\"$0\\" \\"$1\\"", "{template}", "{{out}}", "{{seed}}"]\n')
    per_file = 1000
    for m in range(0, n, per_file):
        with open(os.path.join(path, "manifests", f"m{m // per_file:04d}.toml"), "w") as f:
            for i in range(m, min(n, m + per_file)):
                f.write(f'[cue.c{i}]\nprompt = "cue number {i}"\nduration = 0.1\nseed = {i}\n\n')


def make_plain_graph(path, edges):
    """A plain ninja graph with `edges` edges (half generate-like, half render-like)."""
    os.makedirs(path)
    half = edges // 2
    with open(os.path.join(path, "build.ninja"), "w") as f:
        f.write("rule touch\n  command = touch $out\nrule copy\n  command = cp $in $out\n")
        for i in range(half):
            f.write(f"build obj/{i % 256:02x}/o{i}.wav: touch\n")
        for i in range(half):
            f.write(f"build out/c{i}.wav: copy obj/{i % 256:02x}/o{i}.wav\n")


def make_plain_graph_like(path, foley_ninja):
    """A plain ninja graph with exactly the nodes of foley's graph (same paths), but
    none of what foley adds: no variables, pools, generator edge or phony targets.
    The difference to foley's graph is then foley's own overhead, not path length."""
    os.makedirs(path)
    with open(foley_ninja) as src, open(os.path.join(path, "build.ninja"), "w") as f:
        f.write("rule touch\n  command = touch $out\nrule copy\n  command = cp $in $out\n"
                "rule copy_sidecar\n  command = cp $in $out && touch $out.json\n"
                "rule touch_sidecar\n  command = touch $out $out.json\n")
        for line in src:
            if not line.startswith("build ") or line.startswith("build build.ninja:"):
                continue
            outs, _, rest = line.rstrip("\n").partition(": ")
            rule, _, ins = rest.partition(" ")
            if rule.startswith("gen_"):
                f.write(f"{outs}: touch\n")
            elif rule == "render":
                # A render edge's sidecar is an implicit output (`out | out.json`).
                side = "_sidecar" if " | " in outs else ""
                f.write(f"{outs}: copy{side} {ins}\n" if ins else f"{outs}: touch{side}\n")


def dvc_status_time(venv_python, path, n, template):
    os.makedirs(path)
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    subprocess.run([venv_python, "-m", "dvc", "init", "-q"], cwd=path, check=True)
    with open(os.path.join(path, "dvc.yaml"), "w") as f:
        f.write("stages:\n")
        for i in range(n):
            f.write(f"  c{i}:\n    cmd: cp {template} out/c{i}.wav\n    outs:\n      - out/c{i}.wav\n")
    os.makedirs(os.path.join(path, "out"))
    subprocess.run([venv_python, "-m", "dvc", "repro", "-q"], cwd=path, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return best_of(3, lambda: run([venv_python, "-m", "dvc", "status", "-q"], path))


def ensure_dvc():
    venv = os.path.join(HERE, ".venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    # pathspec 1.x dropped a name dvc 3.56 imports; pin the last compatible one.
    if subprocess.run([py, "-m", "dvc", "version"], capture_output=True).returncode != 0:
        subprocess.run([py, "-m", "pip", "install", "-q", "dvc==3.56.0", "pathspec==0.12.1"], check=True)
    return py


def measure_foley(foley, env, proj, n, build_max):
    """Cold plan, re-plans and (up to build_max cues) the no-op ninja of one foley build."""
    row = {}
    # Cold plan: nothing cached yet (the content-hash cache is empty too).
    row["plan_s"], row["plan_rss"] = run([foley, "plan", "-q"], proj, env)
    row["replan_noop_s"], _ = best_of(3, lambda: run([foley, "plan", "-q"], proj, env))
    manifest = os.path.join(proj, "manifests", "m0000.toml")
    edits = iter(range(1000))

    def edit_and_plan():
        with open(manifest) as f:
            text = f.read()
        with open(manifest, "w") as f:
            f.write(text.replace('prompt = "cue number 0', f'prompt = "cue number 0 edit{next(edits)}', 1))
        return run([foley, "plan", "-q"], proj, env)

    row["replan_edit_s"], row["replan_rss"] = best_of(3, edit_and_plan)
    if n <= build_max:
        run(["ninja", "-j", str(os.cpu_count() * 2)], proj, env)
        row["noop_foley_s"], _ = best_of(5, lambda: run(["ninja"], proj, env))
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--build-max", type=int, default=10000)
    ap.add_argument("--dvc", action="store_true")
    ap.add_argument("--dvc-max", type=int, default=1000)
    ap.add_argument("--baseline", help="another build dir, measured alike in the same run")
    args = ap.parse_args()
    foley = os.path.abspath(os.path.join(args.build_dir, "bin", "foley"))
    env = dict(os.environ, PATH=os.path.dirname(foley) + os.pathsep + os.environ["PATH"], FOLEY_LOG="quiet")
    baseline = os.path.abspath(os.path.join(args.baseline, "bin", "foley")) if args.baseline else None
    base_env = dict(env, PATH=os.path.dirname(baseline) + os.pathsep + os.environ["PATH"]) if baseline else None
    dvc_py = ensure_dvc() if args.dvc else None
    rows = []
    with tempfile.TemporaryDirectory(prefix="foley-bench-") as tmp:
        template = os.path.join(tmp, "t.wav")
        subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", template, "synth", "0.1", "sine", "440"],
                       check=True)
        for n in [int(s) for s in args.sizes.split(",")]:
            proj = os.path.join(tmp, f"p{n}")
            make_project(proj, n, template)
            row = {"cues": n}
            row.update(measure_foley(foley, env, proj, n, args.build_max))
            if n <= args.build_max:
                plain = os.path.join(tmp, f"plain{n}")
                make_plain_graph(plain, 2 * n)
                run(["ninja"], plain)
                row["noop_plain_s"], _ = best_of(5, lambda: run(["ninja"], plain))
                same = os.path.join(tmp, f"same{n}")
                make_plain_graph_like(same, os.path.join(proj, "build.ninja"))
                run(["ninja"], same)
                row["noop_same_s"], _ = best_of(5, lambda: run(["ninja"], same))
            if baseline:
                twin = os.path.join(tmp, f"base{n}")
                make_project(twin, n, template)
                row["baseline"] = measure_foley(baseline, base_env, twin, n, args.build_max)
                shutil.rmtree(twin, ignore_errors=True)
            if dvc_py and n <= args.dvc_max:
                row["dvc_status_s"], _ = dvc_status_time(dvc_py, os.path.join(tmp, f"dvc{n}"), n, template)
            rows.append(row)
            shutil.rmtree(proj, ignore_errors=True)
            print(row, file=sys.stderr, flush=True)

    def fmt(v, unit="s"):
        if v is None:
            return "—"
        return f"{v * 1000:.0f} ms" if unit == "s" else f"{v:.0f} MiB"

    print("| cues | foley plan (cold) | peak RSS | re-plan, nothing changed | re-plan after 1 edit | "
          "no-op ninja, foley graph | plain graph, short paths | ratio | plain graph, foley's paths | ratio | "
          "dvc status |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        def ratio(key):
            return f"{r['noop_foley_s'] / r[key]:.2f}×" if r.get(key) else "—"
        print(f"| {r['cues']} | {fmt(r['plan_s'])} | {fmt(r['plan_rss'], 'MiB')} | {fmt(r['replan_noop_s'])} | "
              f"{fmt(r['replan_edit_s'])} | {fmt(r.get('noop_foley_s'))} | {fmt(r.get('noop_plain_s'))} | "
              f"{ratio('noop_plain_s')} | {fmt(r.get('noop_same_s'))} | {ratio('noop_same_s')} | "
              f"{fmt(r.get('dvc_status_s'))} |")
    if baseline:
        print(f"\nBefore ({args.baseline}) and after ({args.build_dir}), same run:\n")
        print("| cues | plan (cold) before / after | re-plan, nothing changed | re-plan after 1 edit | no-op ninja |")
        print("|---|---|---|---|---|")
        for r in rows:
            b = r["baseline"]

            def pair(key):
                return f"{fmt(b.get(key))} / {fmt(r.get(key))}"
            print(f"| {r['cues']} | {pair('plan_s')} | {pair('replan_noop_s')} | {pair('replan_edit_s')} | "
                  f"{pair('noop_foley_s')} |")


if __name__ == "__main__":
    main()
