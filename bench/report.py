"""Targets and tables for the load benchmark (bench/results/README.md is generated here)."""

import json
from pathlib import Path

ANSWER_SAVE_P99_MS = 250
ACHIEVED_SHARE = 0.95  # a rate counts as sustained if at least this share of it was acknowledged


def _phases(result: dict, processes: int) -> list[dict]:
    return [p for s in result.get("stages", []) if s["processes"] == processes for p in s["phases"]]


def _fmt(value: object, unit: str = "") -> str:
    return "-" if value is None else f"{value}{unit}"


def _rate_target(name: str, phases: list[dict], rate: float) -> dict | None:
    if not phases:
        return None
    worst_rate = min(p["acked_per_s"] or 0 for p in phases)
    errors = sum(p["error_count"] for p in phases)
    seconds = sum(p["seconds"] for p in phases)
    # None: no answer sent in the phase was acknowledged at all.
    p99s = [p["save_latency"]["p99_ms"] for p in phases]
    p50s = [p["save_latency"]["p50_ms"] for p in phases]
    p99 = None if None in p99s else max(p99s)
    p50 = None if None in p50s else max(p50s)
    return {
        "target": name,
        "measured": f"{worst_rate}/s acknowledged over {seconds:.0f} s, {errors} errors, "
        f"save p50 {_fmt(p50)} ms, p99 {_fmt(p99)} ms",
        "pass": worst_rate >= ACHIEVED_SHARE * rate
        and errors == 0
        and p99 is not None
        and p99 <= ANSWER_SAVE_P99_MS,
    }


def targets(result: dict) -> list[dict]:
    """The load targets beside what this run measured (two-process stage)."""
    out: list[dict | None] = []
    two = [s for s in result.get("stages", []) if s["processes"] == 2]
    if two:
        join = two[-1]["join"]
        room = join.get("first_300_in_s")
        out.append(
            {
                "target": "joins, two processes: a room of 300 scanning the QR code at once is "
                "in within 3 s; >= 150 joins/s",
                "measured": f"first 300 in {_fmt(room)} s; {join['rate_per_s']} joins/s over "
                f"{join['joined']} phones (each: join page, POST, first survey page, its "
                f"websocket), server CPU {_fmt(join.get('server_cpu_ms_per_join'))} ms per join"
                + (
                    f" ({join['server_cpu_ms_per_join_exact']} ms by the servers' own clocks)"
                    if "server_cpu_ms_per_join_exact" in join
                    else ""
                ),
                "pass": room is not None and room <= 3 and join["rate_per_s"] >= 150,
            }
        )
        ws = two[-1]["phone_ws"]
        out.append(
            {
                "target": "2,000 participants connected at once across two processes",
                "measured": f"{ws['opened']} phone websockets opened "
                f"({', '.join(f'{v} on :{k}' for k, v in ws['per_process'].items())}); "
                f"at least {ws['min_open_during_load']} open while answering, "
                f"{ws['open_after_load']} right after",
                "pass": ws["opened"] >= 2000 and (ws["min_open_during_load"] or 0) >= 2000,
            }
        )
        quiet = two[-1]["quiet"]
        out.append(
            {
                "target": f"(implied) websockets stay open through {quiet['seconds']:g} s "
                "without messages",
                "measured": f"{quiet['phone_ws_closed_by_server']} of "
                f"{quiet['phone_ws_open_before']} phone and {quiet['projectors_closed_by_server']}"
                f" of {quiet['projectors']} projector websockets closed by the server",
                "pass": quiet["phone_ws_closed_by_server"] == 0
                and quiet["projectors_closed_by_server"] == 0,
            }
        )
    # Memory per websocket from a stage that opened them after all joins, so that nothing
    # else grew the servers meanwhile.
    clean = [s for s in result.get("stages", []) if not s["join"].get("pipelined_with_websocket")]
    if clean:
        ws = clean[-1]["phone_ws"]
        per_conn = list(ws["kib_per_connection"].values())
        out.append(
            {
                "target": "memory <= 64 KiB per idle websocket",
                "measured": " / ".join(f"{v} KiB" for v in per_conn)
                + f" per phone websocket (RSS growth over {ws['opened']} connections, "
                f"{clean[-1]['name']})",
                "pass": bool(per_conn) and max(per_conn) <= 64,
            }
        )
    all_phases = _phases(result, 2)
    for transport in ("ws", "http"):
        phases = [p for p in all_phases if p.get("transport", "http") == transport]
        if phases:
            out += _transport_targets(phases, f"[{transport}] ", result.get("floor"))
    first = result.get("first_load")
    if first:
        biggest = sorted(first["files"], key=lambda f: -f["bytes"])[:3]
        out.append(
            {
                "target": "the phone's first load (join page and first survey page, everything "
                f"it downloads) <= {first['target_bytes'] // 1000} KB compressed",
                "measured": f"{first['total_bytes'] / 1000:.1f} KB in {len(first['files'])} "
                "requests; largest: "
                + ", ".join(f"{f['path']} {f['bytes'] / 1000:.1f} KB" for f in biggest),
                "pass": first["ok"] and first["total_bytes"] <= first["target_bytes"],
            }
        )
    v = result.get("verification")
    if v:
        out.append(
            {
                "target": "0 lost and 0 duplicated answers",
                "measured": f"{v['acknowledged_pairs']} acknowledged, {v['stored_rows']} stored: "
                f"{v['lost']} lost, {v['wrong_value']} wrong value, {v['duplicated']} duplicated"
                + (
                    f" ({v['stored_without_ack']} stored from requests that failed client-side)"
                    if v["stored_without_ack"]
                    else ""
                ),
                "pass": v["ok"],
            }
        )
    return [t for t in out if t is not None]


def _transport_targets(
    phases: list[dict], tag: str, result_floor: dict | None = None
) -> list[dict | None]:
    """The rate and latency targets over one transport's phases (two-process stage)."""
    out: list[dict | None] = []
    sustained = [p for p in phases if p["label"] == "2p 300/s"]
    bursts = [p for p in phases if "burst" in p["label"]]
    at200 = [p for p in phases if p["label"] == "2p 200/s"]
    out.append(
        _rate_target(
            f"{tag}300 answers/s sustained, 0 errors, save p99 <= {ANSWER_SAVE_P99_MS} ms",
            sustained,
            300,
        )
    )
    out.append(
        _rate_target(
            f"{tag}500 answers/s in bursts, 0 errors, save p99 <= {ANSWER_SAVE_P99_MS} ms",
            bursts,
            500,
        )
    )
    for p in at200:
        lat = p["projector_latency"]
        out.append(
            {
                "target": f"{tag}answer-to-projector at 200/s: p50 <= 50, p95 <= 150, "
                "p99 <= 250 ms",
                "measured": f"p50 {_fmt(lat['p50_ms'])}, p95 {_fmt(lat['p95_ms'])}, "
                f"p99 {_fmt(lat['p99_ms'])} ms ({p['acked_per_s']}/s acknowledged, "
                f"{p['projector_updates_missing']} never shown)",
                "pass": bool(lat["count"])
                and lat["p50_ms"] <= 50
                and lat["p95_ms"] <= 150
                and lat["p99_ms"] <= 250
                and p["projector_updates_missing"] == 0
                and p["acked_per_s"] >= ACHIEVED_SHARE * 200,
            }
        )
    for p in at200:
        floor = (result_floor or {}).get("latency", {}).get("p50_ms")
        app = p["projector_latency"]["p50_ms"]
        ratio = app / floor if floor and app is not None else None
        # A floor slower than the app itself was measured on saturated cores: no ratio.
        usable = ratio is not None and ratio >= 1
        out.append(
            {
                "target": f"{tag}answer-to-projector at 200/s over the floor of the same run: "
                "<= 10x at p50",
                "measured": f"{_fmt(app)} ms / {_fmt(floor)} ms = "
                + (f"{ratio:.1f}x" if usable else "- (the floor was slower than the app)"),
                "pass": usable and ratio is not None and ratio <= 10,
            }
        )
    if bursts:
        p99s = [p["projector_latency"]["p99_ms"] for p in bursts]
        p99 = None if None in p99s else max(p99s)
        rate = min(p["acked_per_s"] for p in bursts)
        missing = sum(p["projector_updates_missing"] for p in bursts)
        out.append(
            {
                "target": f"{tag}answer-to-projector at 500/s: p99 <= 500 ms",
                "measured": f"p99 {_fmt(p99)} ms ({rate}/s acknowledged, {missing} never shown)",
                "pass": p99 is not None
                and p99 <= 500
                and rate >= ACHIEVED_SHARE * 500
                and missing == 0,
            }
        )
    return out


def print_stage(stage: dict) -> None:
    join = stage["join"]
    ws = stage["phone_ws"]
    print(
        f"    joined {join['joined']} in {join['seconds']} s ({join['rate_per_s']}/s, "
        f"p99 {join['latency']['p99_ms']} ms, errors {join['errors']}); "
        f"{ws['opened']} phone ws in {ws['open_seconds']} s, "
        f"{ws['kib_per_connection']} KiB each; ws errors {stage['ws_errors']}"
    )
    for p in stage["phases"]:
        s, pr = p["save_latency"], p["projector_latency"]
        r = p.get("resources", {})
        print(
            f"    {p['label']} [{p.get('transport', 'http')}]: {p['acked_per_s']}/s acked "
            f"({p['starved']} starved, {p.get('ws_fallbacks_to_http', 0)} by HTTP), "
            f"errors {p['errors']}; save p50/p95/p99 {s['p50_ms']}/{s['p95_ms']}/{s['p99_ms']} ms;"
            f" projector p50/p95/p99 {pr['p50_ms']}/{pr['p95_ms']}/{pr['p99_ms']} ms "
            f"(missing {p['projector_updates_missing']}); cpu {r.get('server_cpu_percent')} "
            f"machine {r.get('machine_busy_percent')}% gen {r.get('generator_cpu_percent')}% "
            f"pg {r.get('postgres_cpu_percent')}% redis {r.get('redis_cpu_percent')}% "
            f"others {r.get('other_processes_cpu_percent')}%"
        )


HEADER = """# Load benchmark results

Generated by `bench/load.py` (`make bench`, `make bench BENCH=full`) from the JSON files beside
this one; how the benchmark works, what the profile shows and what to change are in
[bench/README.md](../README.md). Latencies are milliseconds. "taps by": the phone's websocket
(ws) or the answer POST (http), the same phases one after the other in the same run. "save" is
from sending the tap to its acknowledgement; "projector" is from that acknowledgement (with its
results version v) to the first message with version >= v on each projector of the session
(one projector per session on each server process).
"""


def _stage_table(result: dict) -> list[str]:
    lines = [
        "| stage | phase | taps by | offered/s | acked/s | errors | save p50 | p95 | p99 | "
        "projector p50 | p95 | p99 | / floor p50 | server CPU % | server CPU ms/answer | "
        "PostgreSQL CPU % | generator CPU % | other jobs CPU % |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for stage in result.get("stages", []):
        for p in stage["phases"]:
            s, pr, r = p["save_latency"], p["projector_latency"], p.get("resources", {})
            cpu = " / ".join(str(v) for v in r.get("server_cpu_percent", {}).values())
            floor = (result.get("floor") or {}).get("latency", {}).get("p50_ms")
            ratio = f"{pr['p50_ms'] / floor:.2g}x" if floor and pr["p50_ms"] is not None else "-"
            lines.append(
                f"| {stage['name']} ({stage['server']}) | {p['label']} | "
                f"{p.get('transport', 'http')} | {p['offered_per_s']:g} | "
                f"{p['acked_per_s']} | {p['error_count']} | {_fmt(s['p50_ms'])} | "
                f"{_fmt(s['p95_ms'])} | {_fmt(s['p99_ms'])} | {_fmt(pr['p50_ms'])} | "
                f"{_fmt(pr['p95_ms'])} | {_fmt(pr['p99_ms'])} | {ratio} | {cpu} | "
                f"{_fmt(p.get('server_cpu_ms_per_answer'))} | "
                f"{_fmt(r.get('postgres_cpu_percent'))} | {_fmt(r.get('generator_cpu_percent'))} | "
                f"{_fmt(r.get('other_processes_cpu_percent'))} |"
            )
    return lines


def _floor_lines(result: dict) -> list[str]:
    floor = result.get("floor")
    if not floor:
        return []
    f = floor["latency"]
    lines = [
        f"Floor (bare channels-redis group_send → websocket, {floor['groups']} groups x "
        f"{floor['listeners_per_group']} listeners, {floor['rate_per_group']:g} msg/s each, "
        f"{floor['payload_bytes']} B): p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, "
        f"p99 {f['p99_ms']} ms, {floor['lost']} lost.",
        "",
    ]
    for stage in result.get("stages", []):
        for p in stage["phases"]:
            pr = p["projector_latency"]
            if not pr["count"] or not f["p50_ms"]:
                continue
            ratios = [
                f"{pr[k] / f[k]:.0f}x" if pr[k] is not None and f[k] else "-"
                for k in ("p50_ms", "p95_ms", "p99_ms")
            ]
            lines.append(
                f"- {stage['name']}, {p['label']} [{p.get('transport', 'http')}]: "
                "answer-to-projector / floor = "
                f"{ratios[0]} at p50, {ratios[1]} at p95, {ratios[2]} at p99"
            )
    return [*lines, ""]


def write_markdown(results_dir: Path) -> Path:
    lines = [HEADER]
    order = {"load-short.json": 0, "load-full.json": 1, "load-compare.json": 2}
    paths = sorted(results_dir.glob("load-*.json"), key=lambda p: (order.get(p.name, 3), p.name))
    for path in paths:
        result = json.loads(path.read_text())
        mode = f"{result['mode']}` ({result['label']})" if result.get("label") else result["mode"]
        m = result["machine"]
        cfg = result["config"]
        lines += [
            f"## `{mode}{'' if result.get('label') else '`'} run, {result['when']}",
            "",
            f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, Python "
            f"{m['python']}; load average {m['loadavg_at_start']:.1f} at the start (the machine is "
            f"shared: other jobs run beside the benchmark). Server: {cfg['server']}, "
            f"per-message deflate {'on' if cfg['ws_per_message_deflate'] else 'off'}; "
            f"two processes: {cfg['two_processes_how']}; at most "
            f"{cfg['connections_per_server']} connections per server process. "
            f"App source fingerprint {cfg.get('app_fingerprint', '?')}"
            + (f", server environment {cfg['server_env']}" if cfg.get("server_env") else "")
            + f". Took {result['seconds']} s.",
            "",
        ]
        if result.get("targets"):
            lines += ["| target | measured | pass |", "|---|---|---|"]
            lines += [
                f"| {t['target']} | {t['measured']} | {'✅' if t['pass'] else '❌'} |"
                for t in result["targets"]
            ]
            lines.append("")
        lines += _stage_table(result)
        lines.append("")
        for stage in result.get("stages", []):
            j, ws = stage["join"], stage["phone_ws"]
            lines.append(
                f"- {stage['name']} ({stage['server']}): sessions of "
                f"{', '.join(str(n) for n in sorted(set(stage['sessions']), reverse=True))} "
                f"phones ({len(stage['sessions'])} sessions, {stage['participants']} phones, "
                f"{stage['projectors']} projectors); joined at {j['rate_per_s']}/s (p99 "
                f"{j['latency']['p99_ms']} ms, server CPU {_fmt(j.get('server_cpu_ms_per_join'))}"
                f" ms per join); {ws['opened']} phone websockets, "
                f"{' / '.join(str(v) for v in ws['kib_per_connection'].values())} KiB each; "
                f"RSS after connecting {ws['rss_after_mib']} MiB"
            )
        lines.append("")
        lines += _floor_lines(result)
    lines += _conference_lines(results_dir)
    path = results_dir / "README.md"
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path


def _conference_line(result: dict, name: str) -> str:
    """One run of `bench/load.py --mode conference` (bench/conference.py) in one line."""
    cfg, phones = result["config"], result["phones"]
    parts = [
        f"**{result['when'][:16]}**"
        + (f" ({result['label']})" if result.get("label") else "")
        + f": {phones['connected']:,} of {cfg['phones']:,} phones connected on "
        f"{cfg['processes']} process(es) (sessions of {cfg['sessions'][0]:,}), "
        f"{phones['closed_by_server']} sockets closed by the server"
    ]
    join = result.get("steps", {}).get("join")
    if join:
        parts.append(
            f"joins {join['rate_per_s']}/s offered {cfg['join_rate_offered_per_s']:g}/s, "
            f"{join['server_cpu_ms_per_join']} ms server CPU each"
        )
    for port, f in result.get("per_phone", {}).items():
        parts.append(
            f":{port} RSS {f['rss_before_mib']:g} → {f['rss_after_mib']:g} MiB for "
            f"{f['phones_open']:,} phones = {f['rss_kib_per_phone']} KiB/phone "
            f"({f.get('rss_kib_per_phone_20_to_100', '-')} from 20%), "
            f"{f['fds_per_phone']} fds/phone, {f['redis_connections']} Redis connections"
        )
    for b in result.get("broadcasts", []):
        heard = b["heard"]
        lat = heard["latency"]
        text = (
            f"{b['kind'].split(' ')[0]} {b['session']}: {heard['phones']:,}/"
            f"{b['phones_expected']:,} heard, p50/p99/max {_fmt(lat['p50_ms'])}/"
            f"{_fmt(lat['p99_ms'])}/{_fmt(lat['max_ms'])} ms"
        )
        if "reloaded" in b:
            r = b["reloaded"]["latency"]
            text += (
                f", reloaded {b['reloaded']['phones']:,}: p50/p99/max {_fmt(r['p50_ms'])}/"
                f"{_fmt(r['p99_ms'])}/{_fmt(r['max_ms'])} ms"
            )
        parts.append(text)
    trace = result.get("tracemalloc")
    if trace:
        top = ", ".join(
            f"{row['where']} {row['kib_per_phone']}" for row in trace["top_by_filename"][:4]
        )
        parts.append(f"tracemalloc {trace['traced_kib_per_phone']} KiB/phone traced (KiB: {top})")
    parts.append(f"`uptime` at the start: {result['uptime_start'].split('load average')[-1]}")
    return "- " + "; ".join(parts) + f" ([{name}]({name}))"


def _conference_lines(results_dir: Path) -> list[str]:
    paths = sorted(results_dir.glob("conference-*.json"))
    if not paths:
        return []
    lines = [
        "## `conference` runs (10,000 phones held: bench/conference.py)",
        "",
        "One line per run, oldest first. KiB/phone: RSS growth of the process from before the "
        'phones to all connected, divided by its phones ("from 20%": the growth from 20% to '
        "all connected over the phones added meanwhile); fds/phone: open file descriptors "
        "grown per phone; fan-out: from the organiser's POST to each phone's receipt.",
        "",
    ]
    lines += [_conference_line(json.loads(p.read_text()), p.name) for p in paths]
    return [*lines, ""]
