"""When someone is free, as a bit mask: seven days by three parts of the day (21 bits).

A mask of 0 means "any time" (a volunteer who did not say, an opportunity that is flexible),
so two masks fit when either is 0 or they share a bit.
"""

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = ("morning", "afternoon", "evening")
ALL = (1 << (len(DAYS) * len(PARTS))) - 1


def slot_bit(day: int, part: int) -> int:
    if not (0 <= day < len(DAYS) and 0 <= part < len(PARTS)):
        raise ValueError("no such day or part of the day")
    return 1 << (day * len(PARTS) + part)


def slot_code(day: int, part: int) -> str:
    return f"{DAYS[day][:3].lower()}-{PARTS[part]}"


# ("mon-morning", "Monday morning") for forms, in week order.
SLOT_CHOICES = [
    (slot_code(d, p), f"{DAYS[d]} {PARTS[p]}") for d in range(len(DAYS)) for p in range(len(PARTS))
]
_BITS = {slot_code(d, p): slot_bit(d, p) for d in range(len(DAYS)) for p in range(len(PARTS))}


def mask_from_codes(codes: list[str] | tuple[str, ...] | set[str]) -> int:
    """A mask from slot codes; unknown codes are a ValueError (callers turn it into a message)."""
    mask = 0
    for code in codes:
        if code not in _BITS:
            raise ValueError(f"unknown time slot {code!r}")
        mask |= _BITS[code]
    return mask


def codes_from_mask(mask: int) -> list[str]:
    return [code for code, bit in _BITS.items() if mask & bit]


def fits(a: int, b: int) -> bool:
    return a == 0 or b == 0 or bool(a & b)


def describe(mask: int) -> str:
    if mask == 0 or mask == ALL:
        return "Any time"
    labels = dict(SLOT_CHOICES)
    return ", ".join(labels[code] for code in codes_from_mask(mask))
