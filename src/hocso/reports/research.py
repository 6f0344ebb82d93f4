"""What the research notebooks compute and draw, so the notebooks stay a few calls each.

Results analysis (``notebooks/research/ket_qua_hoc_tap.ipynb``) over the gradebook, and the
digital gap (``khoang_cach_so.ipynb``) over a survey. Every figure a notebook prints is
returned by a function here, so the tests can compare the two.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from hocso.course import Course
from hocso.data import digital_gap_survey
from hocso.reports.results import Results, cronbach_alpha, item_statistics, load


def open_course(default: str | Path = "../..") -> Course:
    """The course a research notebook studies: ``$HOCSO_COURSE``, else the repository."""
    return Course.open(os.environ.get("HOCSO_COURSE") or default)


def funnel(r: Results) -> pd.DataFrame:
    """Learners at each step: on the roster, handed in something, handed in every required
    module, earned at least 70% of the required points."""
    scores = r.scores()
    maxima = r.max_scores()
    completion = r.completion()
    good = 0
    for _, learner in r.learners.iterrows():
        required = r.required_for(learner["audience"])
        earned = scores.loc[learner["id"], required].fillna(0).sum()
        possible = sum(maxima.get(a, 0) for a in required)
        good += bool(possible) and completion[learner["id"]] >= 1 and earned / possible >= 0.7
    steps = {
        "Có tên trong danh sách": len(r.learners),
        "Đã nộp ít nhất một bài": int(scores.notna().any(axis=1).sum()),
        "Đã nộp đủ bài bắt buộc": int((completion >= 1).sum()),
        "Đạt từ 70% điểm": int(good),
    }
    return pd.DataFrame({"Số học viên": steps})


def alphas(r: Results) -> dict[str, float]:
    """Cronbach's alpha of each assignment, rounded to 3 decimals."""
    return {a: round(cronbach_alpha(r.item_matrix(a)), 3) for a in r.assignments}


def mastery_heatmap(r: Results) -> tuple[plt.Figure, pd.DataFrame]:
    """Competence x unit mastery (%), as a table and a heatmap."""
    table = (100 * r.mastery("unit").T).round(1)
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * len(table.columns), 0.9 + 0.5 * len(table)))
    image = ax.imshow(table.to_numpy(dtype=float), cmap="RdYlGn", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(table)), [f"{c} {r.competence_names.get(c, '')}" for c in table.index])
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=9)
    fig.colorbar(image, ax=ax, label="Mức thành thạo (%)")
    ax.set_title("Mức thành thạo theo năng lực và đơn vị")
    fig.tight_layout()
    return fig, table


def score_histograms(r: Results) -> plt.Figure:
    scores = r.scores()
    maxima = r.max_scores()
    fig, axes = plt.subplots(1, len(r.assignments), figsize=(4.5 * len(r.assignments), 3.2))
    for ax, a in zip(np.atleast_1d(axes), r.assignments, strict=True):
        ax.hist(scores[a].dropna(), bins=np.arange(0, maxima[a] + 2) - 0.5, color="#2a6f97")
        ax.set_title(f"{a}: phân bố điểm")
        ax.set_xlabel(f"điểm (tối đa {maxima[a]:g})")
        ax.set_ylabel("số học viên")
    fig.tight_layout()
    return fig


def item_plot(stats: pd.DataFrame) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 4))
    for a, rows in stats.groupby("assignment"):
        ax.scatter(rows["difficulty"], rows["discrimination"], label=a)
    ax.axhline(0.2, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("độ dễ (tỉ lệ điểm đạt được)")
    ax.set_ylabel("độ phân biệt")
    ax.set_title("Chất lượng câu hỏi")
    ax.legend()
    fig.tight_layout()
    return fig


def _dec(x: float) -> str:
    """One decimal with a decimal comma, as Vietnamese write numbers."""
    return f"{x:.1f}".replace(".", ",")


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def results_reading(r: Results) -> str:
    """A short Vietnamese reading of the results, in Markdown, with the figures in it."""
    f = funnel(r)["Số học viên"]
    stats = item_statistics(r)
    alpha = alphas(r)
    mastery = r.mastery("unit")
    overall = r.competence_points().groupby("code")[["score", "max_score"]].sum()
    overall = (overall["score"] / overall["max_score"]).sort_values()
    lines = [
        f"- **Hoàn thành**: {f.iloc[2]} trên {f.iloc[0]} học viên đã nộp đủ các bài bắt buộc "
        f"({_pct(f.iloc[2] / f.iloc[0])}); {f.iloc[3]} học viên đạt từ 70% số điểm.",
    ]
    if len(overall):
        lines.append(
            f"- **Năng lực**: yếu nhất là {overall.index[0]} "
            f"({r.competence_names.get(overall.index[0], '')}, {_pct(overall.iloc[0])}), "
            f"mạnh nhất là {overall.index[-1]} ({_pct(overall.iloc[-1])})."
        )
    if not mastery.empty:
        mean_by_unit = mastery.mean(axis=1).sort_values()
        lines.append(
            f"- **Đơn vị**: {mean_by_unit.index[0]} cần được hỗ trợ thêm "
            f"(trung bình {_pct(mean_by_unit.iloc[0])}); {mean_by_unit.index[-1]} làm tốt nhất "
            f"({_pct(mean_by_unit.iloc[-1])})."
        )
    hard = stats.sort_values("difficulty").head(1)
    if len(hard):
        row = hard.iloc[0]
        lines.append(
            f"- **Câu khó nhất**: {row['item']} ({row['assignment']}), chỉ "
            f"{_pct(row['difficulty'])} số điểm đạt được: nên giảng lại nội dung này."
        )
    weak = stats[stats["discrimination"] < 0.2]
    lines.append(
        f"- **Chất lượng câu hỏi**: {len(weak)} câu có độ phân biệt dưới 0,2 (chưa tách được "
        "người học tốt và người học chưa tốt): nên xem lại cách hỏi."
    )
    reliability = ", ".join(f"{a}: {v:.2f}".replace(".", ",") for a, v in alpha.items())
    lines.append(
        f"- **Độ tin cậy** (Cronbach alpha): {reliability}. Từ 0,7 trở lên là bài kiểm tra "
        "đo ổn định; thấp hơn thì nên thêm câu hoặc sửa câu yếu."
    )
    return "\n".join(lines)


def survey_figure(frame: pd.DataFrame) -> plt.Figure:
    """Four panels: access and use of online public services by each grouping."""
    groups = [
        ("nhom_tuoi", "Nhóm tuổi"),
        ("doi_tuong", "Đối tượng"),
        ("khu_vuc", "Khu vực"),
        ("dan_toc_thieu_so", "Dân tộc thiểu số"),
    ]
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6), sharey=True)
    for ax, (column, title) in zip(axes, groups, strict=True):
        table = digital_gap_survey.gap_table(frame, column)
        table[
            ["Có điện thoại thông minh (%)", "Có Internet (%)", "Dùng dịch vụ công (%)"]
        ].plot.bar(ax=ax, legend=ax is axes[0], rot=0)
        ax.set_title(title)
        ax.set_xlabel("")
    axes[0].set_ylabel("%")
    fig.suptitle("Khoảng cách số (" + ", ".join(sorted(set(frame["nguon"]))) + ")")
    fig.tight_layout()
    return fig


def survey_reading(frame: pd.DataFrame) -> str:
    """A Vietnamese reading of the survey's main gaps, in Markdown."""
    by_area = digital_gap_survey.gap_table(frame, "khu_vuc")
    by_age = digital_gap_survey.gap_table(frame, "nhom_tuoi")
    by_minority = digital_gap_survey.gap_table(frame, "dan_toc_thieu_so")
    services = "Dùng dịch vụ công (%)"
    lines = []
    if {"thành thị", "vùng cao"} <= set(by_area.index):
        lines.append(
            f"- **Khu vực**: {by_area.at['thành thị', services]:.0f}% người ở thành thị đã dùng "
            f"dịch vụ công trực tuyến, ở vùng cao chỉ {by_area.at['vùng cao', services]:.0f}%."
        )
    if len(by_age) >= 2:
        lines.append(
            f"- **Tuổi**: điểm kỹ năng giảm từ {_dec(by_age['Điểm kỹ năng'].iloc[0])} "
            f"(nhóm {by_age.index[0]}) xuống {_dec(by_age['Điểm kỹ năng'].iloc[-1])} "
            f"(nhóm {by_age.index[-1]})."
        )
    if {True, False} <= set(by_minority.index):
        phone = "Có điện thoại thông minh (%)"
        lines.append(
            f"- **Đồng bào dân tộc thiểu số**: {by_minority.at[True, phone]:.0f}% có điện thoại "
            f"thông minh, so với {by_minority.at[False, phone]:.0f}% ở những người còn lại."
        )
    lines.append(
        "- Lớp học nên ưu tiên người cao tuổi, vùng cao và đồng bào dân tộc thiểu số, bắt đầu "
        "từ điện thoại (thiết bị họ có) trước máy tính."
    )
    return "\n".join(lines)


__all__ = [
    "alphas",
    "funnel",
    "item_plot",
    "item_statistics",
    "load",
    "mastery_heatmap",
    "open_course",
    "results_reading",
    "score_histograms",
    "survey_figure",
    "survey_reading",
]
