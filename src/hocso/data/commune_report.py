"""A synthetic commune report (dữ liệu giả lập) for the data lessons (bai12, bai13).

Everything here is invented: "xã Bình Minh" is a made-up commune, its villages (thôn, bản)
and every number are drawn from a fixed seed, so every learner and every test sees the
same rows. Nothing describes a real place or real people. Wherever the data is shown,
it is labelled "dữ liệu giả lập".

Two tables:

- :func:`bang_thon`: one row per village: households, population, and people who have
  completed a digital-skills training course. One row carries a deliberate entry error
  (an extra zero typed in the training count) for the lesson on spotting data errors;
  ``bang_thon(sua_loi=True)`` returns the corrected table.
- :func:`ho_so_theo_thang`: one row per village and month (months 1 to 6): applications
  for public services filed online and filed on paper at the commune office.

:func:`ve_bieu_do_cot` draws a labelled bar chart for learners who do not program, and
:func:`mo_ta_bieu_do` describes a matplotlib chart as plain Python values (title, axis
labels, number of bars...), so that a grade cell can check a learner's chart without
looking at pixels.

>>> bang = bang_thon()
>>> list(bang.columns)
['thon', 'so_ho', 'dan_so', 'da_hoc_ky_nang_so']
>>> len(bang), int(bang["dan_so"].sum())
(8, 7966)
>>> bang[bang["da_hoc_ky_nang_so"] > bang["dan_so"]]["thon"].tolist()
['Bản Khe']
>>> bang_thon(sua_loi=True).loc[3, "da_hoc_ky_nang_so"].item()
322
>>> ho_so = ho_so_theo_thang()
>>> ho_so.shape
(48, 4)
>>> ho_so.groupby("thang")["truc_tuyen"].sum().tolist()
[119, 131, 149, 168, 182, 195]
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd

__all__ = [
    "TEN_XA",
    "NGUON",
    "THON",
    "bang_thon",
    "ho_so_theo_thang",
    "mo_ta_bieu_do",
    "ve_bieu_do_cot",
]

#: The invented commune.
TEN_XA = "xã Bình Minh"

#: How to cite this data under a chart or a table.
NGUON = "Nguồn: dữ liệu giả lập của khóa học hocso (xã Bình Minh không có thật)"

#: The invented villages, in the order of the report.
THON = [
    "Thôn Đông",
    "Thôn Tây",
    "Thôn Trung",
    "Bản Khe",
    "Bản Nà",
    "Thôn Mới",
    "Thôn Chợ",
    "Thôn Bãi",
]

SEED = 2025
_LOI_THON = "Bản Khe"  # the row with an extra zero typed in the training count


def bang_thon(seed: int = SEED, *, sua_loi: bool = False) -> pd.DataFrame:
    """Return the village table of the invented xã Bình Minh (dữ liệu giả lập).

    Columns: ``thon`` (village name), ``so_ho`` (households), ``dan_so`` (population),
    ``da_hoc_ky_nang_so`` (people who completed a digital-skills course).
    Unless ``sua_loi=True``, the row "Bản Khe" has a deliberate typing error: its training
    count has an extra zero, so it is larger than the village's population.

    >>> bang_thon().head(2)
            thon  so_ho  dan_so  da_hoc_ky_nang_so
    0  Thôn Đông    405    1491                828
    1   Thôn Tây    208     859                317
    >>> bool((bang_thon(sua_loi=True)["da_hoc_ky_nang_so"] <= bang_thon()["dan_so"]).all())
    True
    """
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for thon in THON:
        so_ho = rng.randint(120, 420)
        dan_so = round(so_ho * rng.uniform(3.6, 4.6))
        da_hoc = round(dan_so * rng.uniform(0.22, 0.62))
        if thon == _LOI_THON and not sua_loi:
            da_hoc *= 10
        rows.append({"thon": thon, "so_ho": so_ho, "dan_so": dan_so, "da_hoc_ky_nang_so": da_hoc})
    return pd.DataFrame(rows)


def ho_so_theo_thang(seed: int = SEED) -> pd.DataFrame:
    """Return applications for public services by village and month (dữ liệu giả lập).

    Columns: ``thang`` (month, 1 to 6), ``thon`` (village), ``truc_tuyen`` (filed online),
    ``truc_tiep`` (filed on paper at the commune office). Online filing grows month by month.

    >>> ho_so_theo_thang().head(3)
       thang        thon  truc_tuyen  truc_tiep
    0      1   Thôn Đông           7         30
    1      1    Thôn Tây          13         25
    2      1  Thôn Trung          16         22
    """
    rng = random.Random(seed + 1)
    rows: list[dict[str, Any]] = []
    base = {thon: rng.randint(6, 20) for thon in THON}
    for thang in range(1, 7):
        for thon in THON:
            truc_tuyen = base[thon] + round(base[thon] * 0.15 * (thang - 1)) + rng.randint(0, 2)
            truc_tiep = max(3, rng.randint(18, 32) - 2 * thang)
            rows.append(
                {"thang": thang, "thon": thon, "truc_tuyen": truc_tuyen, "truc_tiep": truc_tiep}
            )
    return pd.DataFrame(rows)


def ve_bieu_do_cot(
    nhan: list[str], gia_tri: list[float], tieu_de: str, truc_x: str, truc_y: str, nguon: str
) -> Any:
    """Draw a labelled bar chart and return its matplotlib Figure.

    ``nhan`` are the bar labels, ``gia_tri`` their values; ``tieu_de`` the title,
    ``truc_x`` and ``truc_y`` the axis labels (put the unit in ``truc_y``), ``nguon`` a
    source line written under the chart. The y axis always starts at 0.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = ve_bieu_do_cot(["A", "B"], [3, 5], "Ví dụ", "Thôn", "Số người", "Nguồn: giả lập")
    >>> d = mo_ta_bieu_do(fig)
    >>> d["so_cot"], d["truc_y"], d["chu_thich"], d["truc_y_tu"]
    (2, 'Số người', ['Nguồn: giả lập'], 0.0)
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.bar(list(nhan), list(gia_tri), color="#2a7ab0")
    ax.set_title(tieu_de)
    ax.set_xlabel(truc_x)
    ax.set_ylabel(truc_y)
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", labelrotation=30)
    fig.subplots_adjust(bottom=0.28)
    fig.text(0.01, 0.01, nguon, fontsize=8)
    return fig


def _loi(problem: str, hint: str) -> None:
    from hocso.checks import AnswerError

    raise AnswerError(f"Biểu đồ chưa đúng: {problem}\n💡 Gợi ý: {hint}")


def mo_ta_bieu_do(bieu_do: Any) -> dict[str, Any]:
    """Describe a matplotlib chart (a Figure or an Axes) as a dict of plain Python values.

    Keys: ``loai`` (kind: "cột", "cột ngang", "đường", "tròn" or "khác"), ``tieu_de``
    (title of the first Axes, or the figure's suptitle), ``truc_x`` and ``truc_y`` (axis
    labels), ``so_cot`` (number of bars), ``chieu_cao`` (bar values), ``so_mieng`` (pie
    wedges), ``so_duong`` (lines), ``gia_tri_duong`` (values of the first line),
    ``truc_y_tu`` (where the y axis starts), ``nhan_cot`` (labels along the category axis),
    ``chu_thich`` (texts on the figure outside the axes, e.g. a source line), ``so_o_ve``
    (number of Axes). Only the first Axes is described.
    Raises :class:`hocso.checks.AnswerError` with a Vietnamese message if ``bieu_do``
    is not a chart.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["A", "B"], [3, 5])
    >>> _ = ax.set_title("Ví dụ")
    >>> _ = fig.text(0.01, 0.01, "Nguồn: giả lập")
    >>> d = mo_ta_bieu_do(fig)
    >>> d["loai"], d["tieu_de"], d["so_cot"], d["chieu_cao"], d["nhan_cot"], d["chu_thich"]
    ('cột', 'Ví dụ', 2, [3.0, 5.0], ['A', 'B'], ['Nguồn: giả lập'])
    >>> plt.close(fig)
    >>> mo_ta_bieu_do("hình")
    Traceback (most recent call last):
    ...
    hocso.checks.AnswerError: Biểu đồ chưa đúng: cần một hình vẽ của matplotlib ...
    """
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure
    from matplotlib.patches import Wedge

    if isinstance(bieu_do, Axes) and type(bieu_do).__module__.startswith("matplotlib"):
        fig, axes = bieu_do.figure, [bieu_do]
    elif type(bieu_do) is Figure:
        fig, axes = bieu_do, list(bieu_do.axes)
    else:
        _loi(
            f"cần một hình vẽ của matplotlib (Figure hoặc Axes), nhưng đang là "
            f"{type(bieu_do).__name__}.",
            "Hàm vẽ cần trả về hình vẽ, ví dụ: return fig",
        )
    if not axes:
        _loi("hình vẽ chưa có ô vẽ nào.", "Tạo ô vẽ bằng fig, ax = plt.subplots()")
    ax = axes[0]
    title = ax.get_title()
    if not title and fig._suptitle is not None:
        title = fig._suptitle.get_text()
    bar_containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    bars = [p for c in bar_containers for p in c.patches]
    wedges = [p for p in ax.patches if isinstance(p, Wedge)]
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    horizontal = bool(bar_containers) and all(
        getattr(c, "orientation", "vertical") == "horizontal" for c in bar_containers
    )
    if bars:
        loai = "cột ngang" if horizontal else "cột"
    elif wedges:
        loai = "tròn"
    elif lines:
        loai = "đường"
    else:
        loai = "khác"
    sizes = [p.get_width() if horizontal else p.get_height() for p in bars]
    return {
        "loai": loai,
        "tieu_de": str(title),
        "truc_x": str(ax.get_xlabel()),
        "truc_y": str(ax.get_ylabel()),
        "so_cot": int(len(bars)),
        "chieu_cao": [float(v) for v in sizes],
        "so_mieng": int(len(wedges)),
        "so_duong": int(len(lines)),
        "gia_tri_duong": [float(v) for v in lines[0].get_ydata()] if lines else [],
        "truc_y_tu": float(ax.get_ylim()[0]),
        "nhan_cot": [
            str(t.get_text())
            for t in (ax.get_yticklabels() if horizontal else ax.get_xticklabels())
            if t.get_text()
        ],
        "chu_thich": [str(t.get_text()) for t in fig.texts if t.get_text()],
        "so_o_ve": int(len(fig.axes)),
    }
