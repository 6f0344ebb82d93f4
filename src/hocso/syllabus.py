"""``hocso syllabus``: the course's syllabus in Vietnamese (Markdown, HTML, JSON, heatmap)."""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from pathlib import Path

import mistune

from hocso import curriculum, notebooks
from hocso.course import Course, CourseError

HEATMAP = "bao_phu_nang_luc.png"


def build(course: Course) -> dict:
    """Everything the syllabus shows: modules, audiences, minutes per track, coverage."""
    data = curriculum.load(course.curriculum_dir)
    by_module = {
        module_id: [notebooks.read(p) for p in course.source_notebooks(module_id)]
        for module_id in data.modules
        if (course.source_dir / module_id).is_dir()
    }
    modules = [asdict(m) | {"objectives": list(m.objectives)} for m in data.modules.values()]
    for module in modules:
        module["audiences"] = list(module["audiences"])
        module["competences"] = list(module["competences"])
    tracks = {
        a.id: {
            "name": a.name,
            "modules": [m.id for m in data.modules.values() if a.id in m.audiences],
            "minutes": sum(m.minutes for m in data.modules.values() if a.id in m.audiences),
        }
        for a in data.audiences.values()
    }
    counts = curriculum.coverage_counts(data, by_module)
    return {
        "modules": modules,
        "tracks": tracks,
        "coverage": {code: sorted(found) for code, found in counts.items()},
        "_counts": counts,
        "_curriculum": data,
    }


def to_json(syllabus: dict) -> str:
    public = {k: v for k, v in syllabus.items() if not k.startswith("_")}
    return json.dumps(public, ensure_ascii=False, indent=2)


def _short(text: str, limit: int = 34) -> str:
    """Shorten a label at a word boundary, so the heatmap keeps whole words."""
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit)].rstrip(",") + " …"


def render_heatmap(syllabus: dict, path: Path) -> None:
    """Draw competence x module as a heatmap PNG: the number of autograded items in each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data: curriculum.Curriculum = syllabus["_curriculum"]
    counts = syllabus["_counts"]
    codes = list(data.competences)
    module_ids = [m["id"] for m in syllabus["modules"]]
    grid = [[counts[code].get(mid, 0) for mid in module_ids] for code in codes]
    fig, ax = plt.subplots(figsize=(max(7, 0.5 * len(module_ids) + 5), 9.5), dpi=110)
    top = max([1] + [n for row in grid for n in row])
    ax.imshow(grid, cmap="Greens", vmin=0, vmax=top * 1.25, aspect="auto")
    for y, row in enumerate(grid):
        for x, n in enumerate(row):
            if n:
                ax.text(x, y, str(n), ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(module_ids)), module_ids, rotation=60, ha="right")
    ax.set_yticks(
        range(len(codes)), [f"{c} {_short(data.competences[c].name)}" for c in codes], fontsize=8
    )
    ax.set_xticks([x - 0.5 for x in range(1, len(module_ids))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(codes))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    covered = sum(1 for c in codes if syllabus["coverage"][c])
    fig.suptitle(
        f"Số câu chấm tự động theo năng lực và bài ({covered}/{len(codes)} năng lực có câu chấm)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def to_markdown(syllabus: dict, heatmap: str | None = HEATMAP) -> str:
    data: curriculum.Curriculum = syllabus["_curriculum"]
    lines = [
        "# Chương trình học hocso: Bình dân học vụ số",
        "",
        f"Khung năng lực: {data.source}. Tên năng lực ghi theo bản tóm tắt của khung.",
        "",
        "## Lộ trình theo nhóm học viên",
        "",
        "| Nhóm học viên | Số bài | Thời lượng |",
        "|---|---|---|",
    ]
    for track in syllabus["tracks"].values():
        hours, minutes = divmod(track["minutes"], 60)
        lines.append(f"| {track['name']} | {len(track['modules'])} | {hours} giờ {minutes} phút |")
    lines += ["", "## Các bài học", ""]
    for module in syllabus["modules"]:
        audiences = ", ".join(data.audiences[a].name for a in module["audiences"])
        competences = ", ".join(f"{c} {data.competences[c].name}" for c in module["competences"])
        lines += [
            f"### {module['id']}: {module['title']}",
            "",
            f"- **Dành cho:** {audiences}",
            f"- **Thời lượng:** {module['minutes']} phút",
            f"- **Năng lực:** {competences}",
            "- **Mục tiêu:**",
            *[f"  - {objective}" for objective in module["objectives"]],
            "",
        ]
    lines += ["## Độ bao phủ năng lực", ""]
    if heatmap:
        lines += [f"![Bản đồ bao phủ năng lực theo bài]({heatmap})", ""]
    lines += ["| Mã | Năng lực | Lĩnh vực | Bài có câu chấm tự động |", "|---|---|---|---|"]
    for code, competence in data.competences.items():
        modules = ", ".join(syllabus["coverage"][code]) or "**chưa có**"
        lines.append(f"| {code} | {competence.name} | {competence.domain_name} | {modules} |")
    return "\n".join(lines) + "\n"


def to_html(markdown_text: str) -> str:
    body = mistune.html(markdown_text)
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape('Chương trình học hocso')}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;"
        "line-height:1.5}table{border-collapse:collapse}td,th{border:1px solid #bbb;"
        "padding:.3rem .5rem}img{max-width:100%}</style>\n</head>\n<body>\n"
        f"{body}</body>\n</html>\n"
    )


def write(course: Course, out: Path) -> list[Path]:
    """Write the syllabus as Markdown, HTML and the heatmap PNG into ``out``."""
    syllabus = build(course)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CourseError(f"Không tạo được thư mục {out}: {exc}") from exc
    markdown_text = to_markdown(syllabus)
    paths = [out / "chuong_trinh.md", out / "chuong_trinh.html", out / HEATMAP]
    paths[0].write_text(markdown_text, encoding="utf-8")
    paths[1].write_text(to_html(markdown_text), encoding="utf-8")
    render_heatmap(syllabus, paths[2])
    return paths


def _syllabus(course: Course, args) -> int:
    if args.json:
        print(to_json(build(course)))
        return 0
    paths = write(course, Path(args.out))
    print("✅ Đã viết chương trình học: " + ", ".join(str(p) for p in paths))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("syllabus", help="viết chương trình học (Markdown, HTML, bản đồ năng lực)")
    p.add_argument("--out", default="syllabus", metavar="THƯ_MỤC", help="mặc định: syllabus/")
    p.add_argument("--json", action="store_true", help="in chương trình học dạng JSON")
    p.set_defaults(run=_syllabus)
