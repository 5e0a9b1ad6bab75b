"""The fictitious province of the demo, shaped like a Vietnamese province since 1 July 2025.

Two levels of local government: the province, then xã, phường and đặc khu (no district, no
thị trấn). The departments are the merged ones (Sở Tài chính took in Kế hoạch và Đầu tư, Sở Nội
vụ took in Lao động - Thương binh và Xã hội, Sở Nông nghiệp và Môi trường, Sở Xây dựng took in
Giao thông vận tải); Thanh tra tỉnh has no one-stop shop and is left out.

Each unit has a story over the nine quarters the demo covers (eight full ones and the current
one): a target satisfaction level per quarter, so that on first run some units improve, some
slip, some changes are significant and some are not. The volumes make the small units fall
under the minimum number of responses, as small units do.
"""

from __future__ import annotations

from dataclasses import dataclass

QUARTERS = 9  # eight full quarters before the current one, and the current one so far
INVITATIONS_FROM = 4  # slips and the one-stop software's invitations started in this quarter


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    weight: float                 # relative number of dossiers handled
    levels: tuple[int, ...]       # target share satisfied (%) per quarter, oldest first
    topics: tuple[str, ...]       # procedures citizens mention in comments
    paper: float = 0.12           # share of responses on paper forms
    kiosk_from: int | None = None  # quarter in which a kiosk was installed
    answered: float | None = None  # share of its invitations answered, when it issues them
    foreign: float = 0.02         # share answered in the questionnaire's last language (English)


PROVINCE = ("DEMO", "UBND tỉnh An Phú (dữ liệu mẫu)")
CENTRE_TOPICS = ("cấp phiếu lý lịch tư pháp", "đăng ký doanh nghiệp", "cấp đổi giấy phép lái xe",
                 "cấp giấy chứng nhận quyền sử dụng đất")
COMMUNE_TOPICS = ("đăng ký khai sinh", "chứng thực bản sao", "đăng ký kết hôn",
                  "xác nhận tình trạng hôn nhân", "đăng ký biến động đất đai", "trợ cấp xã hội")
CENTRE = DemoUnit("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh An Phú", 3.0,
                  (80, 81, 81, 82, 84, 85, 86, 87, 88), CENTRE_TOPICS,
                  paper=0.05, kiosk_from=2, answered=0.35, foreign=0.05)

DEPARTMENTS = ("SO", "Các sở, ban, ngành", (
    DemoUnit("STP", "Sở Tư pháp", 1.6, (85, 86, 85, 87, 86, 87, 86, 87, 88),
             ("cấp phiếu lý lịch tư pháp", "chứng thực", "đăng ký hành nghề công chứng"),
             kiosk_from=3, answered=0.4, foreign=0.08),
    # Took in Kế hoạch và Đầu tư: business registration slowed while the systems were merged.
    DemoUnit("STC", "Sở Tài chính", 1.4, (79, 80, 72, 73, 76, 79, 81, 83, 84),
             ("đăng ký thành lập doanh nghiệp", "đăng ký thay đổi nội dung doanh nghiệp",
              "cấp mã số đơn vị có quan hệ với ngân sách"), answered=0.3),
    DemoUnit("SNV", "Sở Nội vụ", 1.0, (84, 83, 82, 80, 79, 77, 76, 74, 73),
             ("cấp giấy phép lao động cho người nước ngoài", "hồ sơ người có công",
              "đăng ký nội quy lao động"), answered=0.25, foreign=0.06),
    DemoUnit("SNNMT", "Sở Nông nghiệp và Môi trường", 1.8, (58, 60, 61, 62, 64, 65, 67, 69, 70),
             ("cấp giấy chứng nhận quyền sử dụng đất", "đăng ký biến động đất đai",
              "cấp giấy phép môi trường"), answered=0.2),
    # Took in Giao thông vận tải: a backlog of driving licences in the last full quarter.
    DemoUnit("SXD", "Sở Xây dựng", 1.5, (82, 83, 82, 84, 83, 84, 85, 66, 69),
             ("cấp đổi giấy phép lái xe", "cấp giấy phép xây dựng", "cấp phù hiệu xe kinh doanh vận tải"),
             kiosk_from=5),
    DemoUnit("SCT", "Sở Công Thương", 0.6, (81, 80, 82, 81, 83, 82, 84, 83, 84),
             ("cấp giấy phép bán lẻ rượu", "xác nhận đăng ký khuyến mại")),
    DemoUnit("SYT", "Sở Y tế", 0.8, (74, 75, 73, 76, 77, 76, 78, 79, 80),
             ("cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "cấp giấy phép hoạt động phòng khám")),
    DemoUnit("SGDDT", "Sở Giáo dục và Đào tạo", 0.5, (88, 87, 89, 88, 88, 89, 88, 89, 90),
             ("cấp bản sao văn bằng, chứng chỉ", "công nhận văn bằng do nước ngoài cấp")),
    DemoUnit("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 0.35, (80, 78, 83, 79, 82, 80, 84, 81, 83),
             ("cấp giấy phép kinh doanh lữ hành", "cấp thẻ hướng dẫn viên du lịch"), foreign=0.05),
    DemoUnit("SKHCN", "Sở Khoa học và Công nghệ", 0.25, (86, 84, 87, 85, 88, 86, 87, 89, 88),
             ("đăng ký công bố hợp chuẩn", "cấp giấy chứng nhận doanh nghiệp khoa học và công nghệ")),
    DemoUnit("SDTTG", "Sở Dân tộc và Tôn giáo", 0.15, (83, 85, 82, 86, 84, 85, 83, 86, 85),
             ("đăng ký sinh hoạt tôn giáo tập trung", "đăng ký hoạt động tín ngưỡng")),
))

COMMUNES = ("XA", "Các xã, phường, đặc khu", (
    # A new one-stop shop with kiosks opened in the last full quarter: a clear rise.
    DemoUnit("P-ANLAC", "UBND phường An Lạc", 2.2, (66, 65, 67, 66, 68, 67, 68, 84, 85), COMMUNE_TOPICS,
             paper=0.08, kiosk_from=7, answered=0.35),
    # Merged with two neighbouring wards on 1 July 2025: a fall, then a slow recovery.
    DemoUnit("P-TANDINH", "UBND phường Tân Định", 1.8, (86, 87, 86, 88, 87, 72, 74, 77, 79),
             COMMUNE_TOPICS, paper=0.08, kiosk_from=1),
    DemoUnit("P-HOABINH", "UBND phường Hòa Bình", 1.2, (70, 71, 73, 74, 76, 78, 79, 81, 82),
             COMMUNE_TOPICS, answered=0.3),
    # The former thị trấn Hòa An, now part of a xã.
    DemoUnit("X-HOAAN", "UBND xã Hòa An", 0.6, (78, 77, 79, 78, 80, 79, 81, 80, 82), COMMUNE_TOPICS,
             paper=0.35),
    DemoUnit("X-TANPHU", "UBND xã Tân Phú", 0.8, (84, 83, 81, 80, 78, 76, 74, 72, 71), COMMUNE_TOPICS,
             paper=0.3),
    DemoUnit("X-BINHHOA", "UBND xã Bình Hòa", 0.7, (75, 77, 76, 78, 77, 79, 78, 80, 79), COMMUNE_TOPICS,
             paper=0.4, answered=0.2),
    DemoUnit("X-PHUOCLOC", "UBND xã Phước Lộc", 0.5, (68, 70, 69, 72, 74, 73, 76, 75, 78), COMMUNE_TOPICS,
             paper=0.45),
    DemoUnit("X-LONGTHANH", "UBND xã Long Thạnh", 0.45, (80, 82, 79, 83, 81, 84, 82, 85, 84),
             COMMUNE_TOPICS, paper=0.4),
    DemoUnit("X-MYXUYEN", "UBND xã Mỹ Xuyên", 0.3, (72, 70, 74, 71, 75, 73, 76, 74, 77), COMMUNE_TOPICS,
             paper=0.5),
    DemoUnit("DK-PHUHAI", "UBND đặc khu Phú Hải", 0.35, (76, 78, 75, 79, 77, 80, 78, 82, 81),
             COMMUNE_TOPICS + ("cấp phép cho tàu cá",), paper=0.3, foreign=0.04),
))


def units_with_parents() -> list[tuple[str, str, str | None]]:
    """(code, name, parent code) of every unit, parents first."""
    rows: list[tuple[str, str, str | None]] = [(PROVINCE[0], PROVINCE[1], None),
                                               (CENTRE.code, CENTRE.name, PROVINCE[0])]
    for group_code, group_name, members in (DEPARTMENTS, COMMUNES):
        rows.append((group_code, group_name, PROVINCE[0]))
        rows += [(unit.code, unit.name, group_code) for unit in members]
    return rows


def answering_units() -> list[DemoUnit]:
    """The units whose one-stop shops receive responses (the province and groups pool them)."""
    return [CENTRE, *DEPARTMENTS[2], *COMMUNES[2]]
