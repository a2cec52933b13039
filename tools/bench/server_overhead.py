#!/usr/bin/env python3
"""Warm-server overhead per cue (benchmark target: "<= 50 ms beyond compute").

usage: tools/bench/server_overhead.py [--build DIR] [--cues N] [--steps S] [--scheduler K] [--duration D]
                                      [--model DIR] [--threads T]

Makes a throw-away project of N audioldm2 cues (distinct seeds) on the tiny model, plans it, then generates each
cue's raw object with `foley-gen generate SPEC`, one after another, exactly as ninja runs it:

  server      through the resident model server, already warm (a warm-up cue started it and loaded the model).
              overhead = the client's wall time - the compute time the server reports for the request
              (generation_seconds: conditioning, denoising, VAE, vocoder and the WAV write, as recorded in the
              index).
  in-process  FOLEY_AUDIOLDM2_SERVER=0: every foley-gen loads the model itself (what the server saves).
  cached      foley-gen on a cue whose object exists: process start, spec, index, lock (the floor of any cue).

Client CPU is the foley-gen process's user+sys time (RUSAGE_CHILDREN), which the shared machine's load does not
inflate the way it inflates wall time. Prints one row per cue, then medians, with the load average before/after.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_project(path, model, cues, steps, scheduler, duration, threads):
    os.makedirs(f"{path}/manifests", exist_ok=True)
    with open(f"{path}/foley.toml", "w") as f:
        f.write(f"""[project]
name = "server-overhead"
default_engine = "ldm"

[engines.ldm]
engine = "audioldm2"
model = "{model}"
device = "cpu"
steps = {steps}
scheduler = "{scheduler}"
threads = {threads}
idle_timeout = 300
""")
    with open(f"{path}/manifests/bench.toml", "w") as f:
        for i in range(cues + 1):  # cue 0 is the warm-up
            f.write(f'[cue.c{i}]\nprompt = "rain on a tin roof, take {i}"\nduration = {duration}\nseed = {i + 1}\n\n')


def specs_by_cue(path):
    out = {}
    req_dir = f"{path}/.foley/requests"
    for name in os.listdir(req_dir):
        if not name.endswith(".json"):
            continue
        spec = json.load(open(f"{req_dir}/{name}"))
        for cue in spec.get("cues", []):
            out[cue.split(":")[-1]] = f"{req_dir}/{name}"
    return out


def timed(cmd, env):
    """(wall s, child CPU s) of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def generation_seconds(foley, path, cue, env):
    out = subprocess.run([foley, "-C", path, "cache", "show", cue], env=env, stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    return json.loads(out)["generation_seconds"]


def run_mode(args, mode, work):
    path = f"{work}/{mode}"
    write_project(path, args.model, args.cues, args.steps, args.scheduler, args.duration, args.threads)
    env = dict(os.environ, FOLEY_LOG="warning", OMP_WAIT_POLICY="passive")
    env["FOLEY_AUDIOLDM2_SERVER"] = "1" if mode == "server" else "0"
    foley, foley_gen = f"{args.build}/bin/foley", f"{args.build}/bin/foley-gen"
    subprocess.run([foley, "-C", path, "plan", "--quiet"], env=env, check=True)
    specs = specs_by_cue(path)
    rows = []
    try:
        timed([foley_gen, "generate", specs["c0"]], env)  # warm-up: starts the server, loads the model
        for i in range(1, args.cues + 1):
            wall, cpu = timed([foley_gen, "generate", specs[f"c{i}"]], env)
            compute = generation_seconds(foley, path, f"c{i}", env)
            cached_wall, cached_cpu = timed([foley_gen, "generate", specs[f"c{i}"]], env)
            rows.append({"cue": f"c{i}", "wall": wall, "cpu": cpu, "compute": compute, "cached_wall": cached_wall,
                         "cached_cpu": cached_cpu})
        if mode == "server":
            status = subprocess.run([foley, "-C", path, "server", "status"], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True).stdout
            print(f"server status after the run:\n{status}", file=sys.stderr)
    finally:
        subprocess.run([foley, "-C", path, "server", "stop"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=f"{ROOT}/build")
    p.add_argument("--cues", type=int, default=10)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--scheduler", default="dpmsolver++")
    p.add_argument("--duration", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--model", default=f"{ROOT}/tests/fixtures/tiny-audioldm2")
    args = p.parse_args()
    args.build = os.path.abspath(args.build)
    args.model = os.path.abspath(args.model)

    work = tempfile.mkdtemp(prefix="foley-overhead-")
    try:
        load_before = open("/proc/loadavg").read().split()[:3]
        server = run_mode(args, "server", work)
        inproc = run_mode(args, "in-process", work)
        load_after = open("/proc/loadavg").read().split()[:3]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ms = lambda s: f"{s * 1e3:.0f}"
    print(f"\n{args.cues} cues, tiny model ({os.path.basename(args.model)}), {args.steps} steps {args.scheduler}, "
          f"{args.duration} s; load average before {' '.join(load_before)}, after {' '.join(load_after)}\n")
    print("| cue | server wall ms | server compute ms | **overhead ms** | client CPU ms | in-process wall ms "
          "| in-process compute ms | in-process CPU ms | cached-cue wall ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s, q in zip(server, inproc):
        print(f"| {s['cue']} | {ms(s['wall'])} | {ms(s['compute'])} | {ms(s['wall'] - s['compute'])} | {ms(s['cpu'])} "
              f"| {ms(q['wall'])} | {ms(q['compute'])} | {ms(q['cpu'])} | {ms(s['cached_wall'])} |")
    med = lambda rows, f: statistics.median(f(r) for r in rows)
    print(f"| **median** | {ms(med(server, lambda r: r['wall']))} | {ms(med(server, lambda r: r['compute']))} "
          f"| **{ms(med(server, lambda r: r['wall'] - r['compute']))}** | {ms(med(server, lambda r: r['cpu']))} "
          f"| {ms(med(inproc, lambda r: r['wall']))} | {ms(med(inproc, lambda r: r['compute']))} "
          f"| {ms(med(inproc, lambda r: r['cpu']))} | {ms(med(server, lambda r: r['cached_wall']))} |")
    print(json.dumps({"bench": "server_overhead", "cues": args.cues,
                      "median_overhead_ms": round(med(server, lambda r: r["wall"] - r["compute"]) * 1e3, 1),
                      "median_server_wall_ms": round(med(server, lambda r: r["wall"]) * 1e3, 1),
                      "median_inprocess_wall_ms": round(med(inproc, lambda r: r["wall"]) * 1e3, 1),
                      "median_cached_wall_ms": round(med(server, lambda r: r["cached_wall"]) * 1e3, 1),
                      "load_before": load_before, "load_after": load_after}))


if __name__ == "__main__":
    main()
