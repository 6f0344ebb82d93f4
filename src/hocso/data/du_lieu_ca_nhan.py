"""A synthetic list of residents (dữ liệu giả lập) for the lesson on personal data (bai08).

Everything here is invented, drawn from a fixed seed so every learner and every test sees
the same rows: names are random combinations of common Vietnamese family, middle and given
names; the villages belong to the made-up "xã Bình Minh". Identity numbers start with
"000" and phone numbers with "0000", so that they do not look like a real person's
numbers. Wherever the list is shown it is labelled "dữ liệu giả lập".

>>> ds = danh_sach_ho_dan()
>>> len(ds), list(ds[0])
(6, ['ho_ten', 'nam_sinh', 'thon', 'so_dinh_danh', 'so_dien_thoai'])
>>> all(r["so_dinh_danh"].startswith("000") and len(r["so_dinh_danh"]) == 12 for r in ds)
True
>>> all(r["so_dien_thoai"].startswith("0000") and len(r["so_dien_thoai"]) == 10 for r in ds)
True
>>> danh_sach_ho_dan() == danh_sach_ho_dan()
True
"""

from __future__ import annotations

import random

__all__ = ["NGUON", "danh_sach_ho_dan"]

#: How to cite this data wherever it is shown.
NGUON = "Nguồn: dữ liệu giả lập của khóa học hocso (không có người nào trong danh sách là thật)"

_HO = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Lò", "Giàng", "Hà"]
_DEM = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quốc"]
_TEN = ["An", "Bình", "Chi", "Dũng", "Hoa", "Lan", "Mai", "Páo", "Sinh", "Tuấn"]
_THON = ["Thôn Đông", "Thôn Tây", "Bản Khe", "Bản Nà"]


def danh_sach_ho_dan(so_nguoi: int = 6, seed: int = 91) -> list[dict[str, object]]:
    """Return ``so_nguoi`` invented residents (dữ liệu giả lập), the same for a given seed.

    Each row has ``ho_ten``, ``nam_sinh``, ``thon``, ``so_dinh_danh`` (12 digits, starting
    with "000") and ``so_dien_thoai`` (10 digits, starting with "0000").
    """
    rng = random.Random(seed)
    rows = []
    for _ in range(so_nguoi):
        rows.append(
            {
                "ho_ten": f"{rng.choice(_HO)} {rng.choice(_DEM)} {rng.choice(_TEN)}",
                "nam_sinh": rng.randint(1950, 2005),
                "thon": rng.choice(_THON),
                "so_dinh_danh": "000" + "".join(str(rng.randint(0, 9)) for _ in range(9)),
                "so_dien_thoai": "0000" + "".join(str(rng.randint(0, 9)) for _ in range(6)),
            }
        )
    return rows
