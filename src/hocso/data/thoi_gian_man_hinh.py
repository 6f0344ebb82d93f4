"""Synthetic data for bai10 (digital health): an invented screen-time diary.

Everything here is made up by code from a fixed seed (dữ liệu giả lập): the diary belongs to
no real person, and its minutes are not statistics about anyone. The lesson uses it only to
practise adding up and comparing columns with pandas.

>>> bang = nhat_ky_man_hinh()
>>> len(bang), list(bang.columns)
(14, ['ngay', 'phut_hoc_tap', 'phut_lien_lac', 'phut_giai_tri'])
>>> bang.equals(nhat_ky_man_hinh())
True
>>> bang["ngay"].iloc[0], bang["ngay"].iloc[13]
('Thứ Hai (tuần 1)', 'Chủ Nhật (tuần 2)')
"""

from __future__ import annotations

import random

import pandas as pd

__all__ = ["THU", "nhat_ky_man_hinh"]

#: The days of the week as the diary names them.
THU = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def nhat_ky_man_hinh(so_tuan: int = 2, seed: int = 10) -> pd.DataFrame:
    """An invented diary (dữ liệu giả lập): minutes on screens per day, by purpose.

    One row per day for ``so_tuan`` weeks; the columns are the day's name and whole minutes
    spent on study, on keeping in touch and on entertainment. Weekends have more
    entertainment, as an invented pattern to find, not a finding about real people.

    >>> nhat_ky_man_hinh(1, seed=3).shape
    (7, 4)
    """
    rng = random.Random(seed)
    dong = []
    for tuan in range(1, so_tuan + 1):
        for thu in THU:
            cuoi_tuan = thu in ("Thứ Bảy", "Chủ Nhật")
            hoc_tap = rng.randrange(20, 70, 5) if cuoi_tuan else rng.randrange(40, 120, 5)
            lien_lac = rng.randrange(10, 50, 5)
            giai_tri = rng.randrange(90, 200, 5) if cuoi_tuan else rng.randrange(30, 130, 5)
            dong.append(
                {
                    "ngay": f"{thu} (tuần {tuan})",
                    "phut_hoc_tap": hoc_tap,
                    "phut_lien_lac": lien_lac,
                    "phut_giai_tri": giai_tri,
                }
            )
    return pd.DataFrame(dong, columns=["ngay", "phut_hoc_tap", "phut_lien_lac", "phut_giai_tri"])
