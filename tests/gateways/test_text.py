from smsgw_kit.text import GSM7, UCS2, analyse, encoding, segments, units


def test_plain_ascii_is_gsm7_and_fits_one_segment_up_to_160():
    assert encoding("Your code is 123456") == GSM7
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("a" * 307) == 3


def test_extension_characters_count_twice():
    assert units("€[]") == 6
    assert segments("€" * 80) == 1
    assert segments("€" * 81) == 2


def test_characters_outside_gsm_need_ucs2_with_70_67_limits():
    assert encoding("Код 1234") == UCS2
    assert segments("ж" * 70) == 1
    assert segments("ж" * 71) == 2
    assert segments("ж" * 134) == 2
    assert segments("ж" * 135) == 3


def test_emoji_counts_two_utf16_units():
    info = analyse("👍" * 35)
    assert (info.encoding, info.units, info.segments) == (UCS2, 70, 1)


def test_empty_text_has_no_segments():
    assert segments("") == 0
    assert analyse("a" * 200).per_segment == 153
