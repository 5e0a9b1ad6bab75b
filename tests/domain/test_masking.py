"""Personal data in comments: what is masked, and the numbers that must stay."""

from __future__ import annotations

import pytest

from survey_app.domain.masking import EMAIL_MASK, ID_MASK, PHONE_MASK, mask_personal_data

PHONE, EMAIL, ID = PHONE_MASK, EMAIL_MASK, ID_MASK


@pytest.mark.parametrize(("text", "expected"), [
    # Mobiles, as citizens type them.
    ("Gọi lại cho tôi 0912 345 678 nhé", f"Gọi lại cho tôi {PHONE} nhé"),
    ("sđt 0912.345.678.", f"sđt {PHONE}."),
    ("0912-345-678", PHONE),
    ("0912345678", PHONE),
    ("số 098 765 4321", f"số {PHONE}"),
    ("Zalo:0357123456", f"Zalo:{PHONE}"),
    ("+84 912345678", PHONE),
    ("+84 912 345 678", PHONE),
    ("+84912345678", PHONE),
    ("+84 (0) 912 345 678", PHONE),
    ("0084 912 345 678", PHONE),
    ("84912345678", PHONE),
    ("0912345678 hoặc 0913222333", f"{PHONE} hoặc {PHONE}"),
    ("0912345678 0913222333", f"{PHONE} {PHONE}"),
    ("(0912345678)", f"({PHONE})"),
    # Landlines: 02x area codes, 11 digits.
    ("(028) 3822 1234", PHONE),
    ("ĐT (0236) 382 1234 giờ hành chính", f"ĐT {PHONE} giờ hành chính"),
    ("028 3822 1234", PHONE),
    ("028.3822.1234", PHONE),
    ("02838221234", PHONE),
    ("+84 28 3822 1234", PHONE),
    # E-mail addresses.
    ("email: nguyen.van.a@gmail.com.", f"email: {EMAIL}."),
    ("gửi về tran_thi-b+gopy@so-tp.hanoi.gov.vn giúp", f"gửi về {EMAIL} giúp"),
    # CMND (9 digits) and CCCD (12 digits).
    ("CMND 123456789", f"CMND {ID}"),
    ("CCCD số 001089012345 cấp 2021", f"CCCD số {ID} cấp 2021"),
    ("CCCD: 038095001234", f"CCCD: {ID}"),
    ("CCCD 001 089 012 345", f"CCCD {ID}"),
    ("Tôi (CCCD 079203001234, ĐT 0909111222, a@b.vn)", f"Tôi (CCCD {ID}, ĐT {PHONE}, {EMAIL})"),
])
def test_masked(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", [
    "Năm 2026 phục vụ tốt hơn năm 2025",
    "Nộp ngày 31/12/2026, hẹn 15-01-2027, trả 2027-01-20",
    "Lệ phí 50.000 đồng là hợp lý",
    "Phí 1.500.000.000 đ quá cao",
    "Phạt 150000000 đồng",
    "Giá 123456789 VNĐ",
    "Chờ 45 phút, 3 lần, lúc 8:30",
    "Hồ sơ số 000.00.01.H29-240101-0001",
    "Mã hồ sơ 12345678",
    "Tỷ lệ 0,5% và 95,5 điểm",
    "Đóng 1.075.000.000.000 đồng tiền sử dụng đất",
    "Giấy phép số 1234567890",
    "Điểm 3.14159265358979",
    "",
])
def test_left_alone(text):
    assert mask_personal_data(text) == text


def test_masking_twice_changes_nothing_more():
    once = mask_personal_data("0912 345 678, a@b.vn, 001089012345")
    assert mask_personal_data(once) == once == f"{PHONE}, {EMAIL}, {ID}"


@pytest.mark.parametrize(("text", "masked"), [
    # Issue 16: separators the masking missed.
    ("gọi 0912/345/678 nhé", "gọi [số điện thoại] nhé"),
    ("gọi 0912–345–678 nhé", "gọi [số điện thoại] nhé"),
    ("gọi 0912—345—678", "gọi [số điện thoại]"),
    ("gọi 0912,345,678.", "gọi [số điện thoại]."),
    ("gọi 091/234/5678", "gọi [số điện thoại]"),
    ("CCCD 001-234-567-890", "CCCD [số giấy tờ]"),
    ("CCCD 001.234.567.890.", "CCCD [số giấy tờ]."),
    ("CCCD 0012-3456-7890", "CCCD [số giấy tờ]"),
    # ...and what must stay: dates with a time, amounts, mixed separators.
    ("ngày 05/07/2026 08:30", "ngày 05/07/2026 08:30"),
    ("phí 1.500.000.000 đ và 50,000,000 đồng", "phí 1.500.000.000 đ và 50,000,000 đồng"),
    ("mã 0912/345,678", "mã 0912/345,678"),
])
def test_issue_16_separators(text, masked):
    assert mask_personal_data(text) == masked
