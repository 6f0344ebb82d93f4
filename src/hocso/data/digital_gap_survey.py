"""A SYNTHETIC survey of the digital gap: device access, skills and online public services.

Nothing here describes real people. The rows are drawn by code from a fixed seed, with
gaps of plausible direction (older, rural, highland and ethnic-minority respondents have
less access) so the research notebook has something to show. To study a real survey, save
it as CSV with the columns of :data:`COLUMNS` and pass its path to :func:`load`.

>>> frame = generate(200)
>>> len(frame), frame["nguon"].unique().tolist() == [SYNTHETIC]
(200, True)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hocso.course import CourseError

SEED = 779  # Hà Giang's plan 779-KH/TU, so the number is easy to remember
SYNTHETIC = "giả lập"
LABEL = "⚠️ Dữ liệu GIẢ LẬP, sinh bằng mã (hocso.data.digital_gap_survey), không phải khảo sát thật."

AGE_GROUPS = ["15-24", "25-39", "40-59", "60+"]
AUDIENCES = ["officials", "students", "public"]
AREAS = ["thành thị", "nông thôn", "vùng cao"]
#: Column -> meaning; a real survey file must have every one of them.
COLUMNS = {
    "nhom_tuoi": "nhóm tuổi: " + ", ".join(AGE_GROUPS),
    "doi_tuong": "đối tượng: officials, students, public",
    "khu_vuc": "khu vực: " + ", ".join(AREAS),
    "dan_toc_thieu_so": "người dân tộc thiểu số (True/False)",
    "co_dien_thoai_thong_minh": "có điện thoại thông minh (True/False)",
    "co_internet": "dùng được Internet tại nhà (True/False)",
    "diem_ky_nang": "điểm tự đánh giá kỹ năng số, 0 đến 10",
    "dung_dich_vu_cong": "đã nộp hồ sơ dịch vụ công trực tuyến (True/False)",
}


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def generate(n: int = 2000, seed: int = SEED) -> pd.DataFrame:
    """``n`` synthetic respondents, the same for the same ``seed``."""
    rng = np.random.default_rng(seed)
    audience = rng.choice(AUDIENCES, size=n, p=[0.2, 0.3, 0.5])
    age = np.where(
        audience == "students",
        rng.choice(AGE_GROUPS[:2], size=n, p=[0.85, 0.15]),
        np.where(
            audience == "officials",
            rng.choice(AGE_GROUPS[1:3], size=n, p=[0.55, 0.45]),
            rng.choice(AGE_GROUPS, size=n, p=[0.15, 0.3, 0.3, 0.25]),
        ),
    )
    area = rng.choice(AREAS, size=n, p=[0.2, 0.45, 0.35])
    minority = rng.random(n) < np.select(
        [area == "vùng cao", area == "nông thôn"], [0.85, 0.5], 0.15
    )
    # One latent "access" score with effects of plausible sign and size.
    base = (
        1.2
        - 0.7 * np.array([AGE_GROUPS.index(a) for a in age])
        - np.select([area == "vùng cao", area == "nông thôn"], [1.3, 0.5], 0.0)
        - 0.5 * minority
        + np.select([audience == "officials", audience == "students"], [1.0, 0.6], 0.0)
        + rng.normal(0, 0.8, n)
    )
    phone = rng.random(n) < _sigmoid(base + 1.5)
    internet = rng.random(n) < _sigmoid(base + 0.5)
    skill = np.clip(np.round(5 + 1.6 * base + rng.normal(0, 1.2, n), 1), 0, 10)
    services = phone & (rng.random(n) < _sigmoid(base - 0.3 + 0.8 * (audience == "officials")))
    frame = pd.DataFrame(
        {
            "nhom_tuoi": age,
            "doi_tuong": audience,
            "khu_vuc": area,
            "dan_toc_thieu_so": minority,
            "co_dien_thoai_thong_minh": phone,
            "co_internet": internet,
            "diem_ky_nang": skill,
            "dung_dich_vu_cong": services,
        }
    )
    frame["nguon"] = SYNTHETIC
    return frame


def load(path: str | Path | None = None) -> pd.DataFrame:
    """The synthetic survey, or a real one from a CSV file with the columns of :data:`COLUMNS`."""
    if path is None or str(path) == "":
        return generate()
    path = Path(path)
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CourseError(f"Không đọc được tệp khảo sát {path}: {exc}") from exc
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise CourseError(f"Tệp khảo sát {path} thiếu cột: {', '.join(missing)}.")
    frame["nguon"] = str(path.name)
    return frame


def gap_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group of ``by``: respondents, shares with a smartphone, Internet, online services
    (in %), and the mean skill score.

    >>> gap_table(generate(500), "khu_vuc").columns.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['Số người', 'Có điện thoại thông minh (%)', 'Có Internet (%)',
     'Dùng dịch vụ công (%)', 'Điểm kỹ năng']
    """
    grouped = frame.groupby(by, sort=False)
    table = pd.DataFrame(
        {
            "Số người": grouped.size(),
            "Có điện thoại thông minh (%)": 100 * grouped["co_dien_thoai_thong_minh"].mean(),
            "Có Internet (%)": 100 * grouped["co_internet"].mean(),
            "Dùng dịch vụ công (%)": 100 * grouped["dung_dich_vu_cong"].mean(),
            "Điểm kỹ năng": grouped["diem_ky_nang"].mean(),
        }
    ).round(1)
    order = {"nhom_tuoi": AGE_GROUPS, "khu_vuc": AREAS, "doi_tuong": AUDIENCES}.get(by)
    return table.reindex([g for g in order if g in table.index]) if order else table.sort_index()
