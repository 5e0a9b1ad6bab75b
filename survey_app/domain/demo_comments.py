"""Comments for the demo: what citizens write in the comment box, in their words.

Some carry a phone number, an e-mail address or an ID card number, as real ones do, so that
the masking of personal data has something to mask. They are placeholders (example.com
addresses, sequences like 0912 345 678), never anybody's data.
"""

from __future__ import annotations

import random

PRAISE = (
    "Cán bộ tiếp nhận hồ sơ {topic} hướng dẫn tận tình, dễ hiểu. Cảm ơn!",
    "Hồ sơ {topic} được trả kết quả sớm hơn hẹn {early} ngày, rất hài lòng.",
    "Thủ tục {topic} nay đơn giản hơn trước nhiều, chỉ đi một lần là xong.",
    "Nộp hồ sơ {topic} trực tuyến, nhận kết quả qua bưu điện, rất tiện.",
    "Nơi chờ sạch sẽ, có nước uống, cán bộ lịch sự.",
    "Được nhắn tin báo khi có kết quả nên không phải hỏi lại nhiều lần.",
    "Cảm ơn chị cán bộ ở quầy số {counter} đã giải thích rõ ràng, nhẹ nhàng.",
    "Lần đầu làm {topic} mà không phải bổ sung giấy tờ gì, rất nhanh.",
)
COMPLAINTS = (
    "Hồ sơ {topic} trễ hẹn {days} ngày mà không ai báo trước.",
    "Phải bổ sung giấy tờ {times} lần, mỗi lần được hướng dẫn một kiểu.",
    "Chờ gần {hours} tiếng mới đến lượt, chỉ có {counters} quầy làm việc.",
    "Bị yêu cầu nộp thêm giấy tờ không có trong danh mục niêm yết của thủ tục {topic}.",
    "Gọi điện đến bộ phận một cửa nhiều lần nhưng không ai nghe máy.",
    "Cán bộ trả lời cộc lốc, không giải thích vì sao hồ sơ {topic} bị trả lại.",
    "Máy lấy số thứ tự bị hỏng, người đến sau lại được làm trước.",
    "Cổng dịch vụ công hay bị lỗi khi tải tệp đính kèm, cuối cùng phải ra nộp trực tiếp.",
    "Đã góp ý qua hòm thư nhưng không thấy phản hồi gì.",
    "Kết quả {topic} ghi sai thông tin, phải làm lại mất thêm {days} ngày.",
)
SUGGESTIONS = (
    "Đề nghị niêm yết rõ mức phí, lệ phí của thủ tục {topic}.",
    "Nên bố trí thêm ghế chờ và chỗ để xe cho người dân.",
    "Nên có mẫu tờ khai điền sẵn để người dân làm theo.",
    "Đề nghị gửi tin nhắn khi hồ sơ {topic} có kết quả.",
    "Nên mở thêm quầy vào sáng thứ Bảy cho người đi làm.",
    "Nên có người hướng dẫn người lớn tuổi nộp hồ sơ trực tuyến.",
    "Wifi ở khu vực chờ rất yếu, nên nâng cấp.",
    "Sau khi sáp nhập, đề nghị ghi rõ địa chỉ mới của bộ phận một cửa.",
)
CONTACTS = (
    "Xin liên hệ lại với tôi qua số {phone}.",
    "Số điện thoại của tôi: {phone}, mong được gọi lại.",
    "Tôi đã gửi email từ địa chỉ {email} nhưng chưa được trả lời.",
    "Nếu cần bổ sung, xin gửi về {email}.",
    "Số CCCD của tôi là {cccd}, đề nghị kiểm tra lại hồ sơ.",
    "Hồ sơ đứng tên tôi, CMND số {cmnd}, đến nay vẫn chưa có kết quả.",
)
PHONES = ("0912 345 678", "0987.654.321", "0901234567", "+84 912 345 678", "0345-678-901")
EMAILS = ("nguoidan.mau@example.com", "hoso.demo@example.org", "tran.thi.mau@example.net")
CCCDS = ("012345678901", "098765432109")
CMNDS = ("123456789",)
CONTACT_SHARE = 0.2  # of the complaints and suggestions


def compose(rng: random.Random, topics: tuple[str, ...], satisfied: float, max_length: int) -> str:
    """A comment by a citizen who was satisfied with ``satisfied`` (0-1) of what they rated."""
    if satisfied >= 0.8:
        pool = PRAISE if rng.random() < 0.7 else SUGGESTIONS
    elif satisfied <= 0.5:
        pool = COMPLAINTS if rng.random() < 0.8 else SUGGESTIONS
    else:
        pool = (PRAISE, COMPLAINTS, SUGGESTIONS)[rng.randrange(3)]
    text = rng.choice(pool).format(topic=rng.choice(topics), days=rng.randint(2, 15), early=rng.randint(1, 3),
                                   times=rng.randint(2, 4), hours=rng.randint(2, 4),
                                   counter=rng.randint(1, 12), counters=rng.randint(1, 3))
    if pool is COMPLAINTS and rng.random() < 0.3:
        text += " " + rng.choice(SUGGESTIONS).format(topic=rng.choice(topics))
    # Citizens leave their number when they want an answer, not when they say thank you.
    if pool is not PRAISE and rng.random() < CONTACT_SHARE:
        text += " " + rng.choice(CONTACTS).format(phone=rng.choice(PHONES), email=rng.choice(EMAILS),
                                                  cccd=rng.choice(CCCDS), cmnd=rng.choice(CMNDS))
    return text[:max_length]
