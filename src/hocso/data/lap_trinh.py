"""Synthetic data for bai14 (Python programming): invented passwords and survey answers.

Everything here is made up by code from a fixed seed (dữ liệu giả lập): no password, person
or answer belongs to anyone real, and the numbers are not statistics about anyone.

>>> mat_khau = mat_khau_gia_lap()
>>> len(mat_khau), mat_khau == mat_khau_gia_lap()
(20, True)
>>> khao_sat = khao_sat_gia_lap()
>>> len(khao_sat), sorted({tl.strip().lower() for tl in khao_sat})
(40, ['chưa bật', 'không biết', 'đã bật'])
"""

from __future__ import annotations

import random

__all__ = ["DANH_SACH_CAM", "mat_khau_gia_lap", "khao_sat_gia_lap"]

#: An invented blocklist for the exercises: passwords a service would refuse.
DANH_SACH_CAM = [
    "123456789",
    "matkhau123",
    "password",
    "qwerty123",
    "abc123456",
    "matkhaucuatoi123",
    "qwertyuiopasdfgh",
]

_TU = [
    "conmeo",
    "xedap",
    "nuocmia",
    "baloxanh",
    "caheo",
    "denlong",
    "trasua",
    "mayxanh",
    "chimse",
    "cayngo",
    "banhchung",
    "muathu",
    "quattran",
    "echxanh",
    "nonla",
    "thuyen",
]
_TEN = ["lan", "minh", "hoa", "tuan", "mai", "hung", "linh", "nam"]


def _mot_mat_khau(rng: random.Random) -> str:
    """One invented password, of one of five kinds (weak or strong by the lesson's rules)."""
    kieu = rng.choice(["so", "cam", "ten_nam", "cum_tu", "cum_tu"])
    if kieu == "so":  # digits only
        return "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 10)))
    if kieu == "cam":  # from the blocklist, sometimes in capitals
        mk = rng.choice(DANH_SACH_CAM)
        return mk.upper() if rng.random() < 0.3 else mk
    if kieu == "ten_nam":  # a name and a year
        return rng.choice(_TEN).capitalize() + "@" + str(rng.randint(1970, 2010))
    return "-".join(rng.sample(_TU, rng.randint(3, 4)))  # a passphrase of random words


def mat_khau_gia_lap(so_luong: int = 20, seed: int = 14) -> list[str]:
    """A list of ``so_luong`` invented passwords (dữ liệu giả lập), the same for every seed.

    >>> mat_khau_gia_lap(3, seed=1) == mat_khau_gia_lap(3, seed=1)
    True
    """
    rng = random.Random(seed)
    return [_mot_mat_khau(rng) for _ in range(so_luong)]


def khao_sat_gia_lap(so_nguoi: int = 40, seed: int = 14) -> list[str]:
    """Invented answers to "Bạn đã bật xác thực hai bước cho email chưa?" (dữ liệu giả lập).

    Answers are typed as a person would type them: sometimes with a capital letter or extra
    spaces, so a program must tidy them (``.strip().lower()``) before counting.

    >>> khao_sat_gia_lap(5, seed=2) == khao_sat_gia_lap(5, seed=2)
    True
    """
    rng = random.Random(seed)
    dap_an = rng.choices(["đã bật", "chưa bật", "không biết"], weights=[4, 4, 2], k=so_nguoi)
    ket_qua = []
    for tl in dap_an:
        r = rng.random()
        if r < 0.2:
            tl = tl.capitalize()
        elif r < 0.3:
            tl = tl + " "
        elif r < 0.35:
            tl = " " + tl.upper()
        ket_qua.append(tl)
    return ket_qua
