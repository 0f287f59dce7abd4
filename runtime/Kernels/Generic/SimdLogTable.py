# Prints the 128 rows of SimdLogTable.cs (c, 1/c, log c high, log c low), as pasted there. Run: python3 SimdLogTable.py (needs mpmath).
import struct
from fractions import Fraction
import mpmath

mpmath.mp.prec = 256
OFFSET = 0x3FE6100000000000  # interval 79 has 1.0 at its centre (in bits)
ROWS = 128
WIDTH = 1 << 45              # one interval, in bits

def value(bits):
    return struct.unpack('<d', struct.pack('<q', bits))[0]

def reciprocal_error(c):
    inverse = 1.0 / c        # correctly rounded
    return abs(Fraction(inverse) * Fraction(c) - 1), inverse

for i in range(ROWS):
    centre = OFFSET + i * WIDTH + WIDTH // 2
    # c: the double nearest the centre whose reciprocal rounds by less than 2^-62 relative
    for step in range(0, 1 << 20):
        bits = centre + (step + 1) // 2 * (1 if step % 2 else -1)
        error, inverse = reciprocal_error(value(bits))
        if error < Fraction(1, 1 << 62):
            break
    else:
        raise SystemExit(f"row {i}: no c found")
    c = value(bits)
    log_c = mpmath.log(mpmath.mpf(c))
    high = float(mpmath.nint(log_c * 2**42) / 2**42)  # a multiple of 2^-42: k ln2hi + high is exact
    low = float(log_c - mpmath.mpf(high))
    print(f"        {c!r}, {inverse!r}, {high!r}, {low!r}, // {i}: {bits - centre:+d} ulp from the centre")
