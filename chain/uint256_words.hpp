#pragma once
// u256 arithmetic on its 64-bit words, for the hot paths of exact protocol math: a product and a
// division by a divisor of one word (the hardware's 128-by-64-bit division, one per word) cost
// a third of cpp_int's general algorithms. Every function here gives exactly what the u256
// expression it names gives (wrapping included), so a caller can swap one for the other.
#include <cstdint>
#include <optional>

#include "chain/uint256.hpp"

namespace chain::words {

static_assert(sizeof(mp::limb_type) == 8, "u256 is expected to be four 64-bit words");

using Word = std::uint64_t;
// GCC and Clang on 64-bit targets; -Wpedantic wants the extension named.
__extension__ typedef unsigned __int128 DoubleWord;

// Little-endian words; `n` of them in use (0 for zero), the rest zero.
struct Words {
  Word w[4] = {0, 0, 0, 0};
  unsigned n = 0;
};

inline void trim(Words& x) noexcept {
  while (x.n > 0 && x.w[x.n - 1] == 0) --x.n;
}

[[nodiscard]] inline Words of(const u256& v) noexcept {
  Words out;
  const auto& b = v.backend();
  const unsigned n = b.size() < 4 ? b.size() : 4;
  for (unsigned i = 0; i < n; ++i) out.w[i] = b.limbs()[i];
  // cpp_int keeps its top word non-zero, except for zero itself (one word, 0).
  out.n = n == 1 && out.w[0] == 0 ? 0 : n;
  return out;
}

// Four little-endian words as a u256.
[[nodiscard]] inline u256 to_u256(const Word (&w)[4]) noexcept {
  u256 out;
  auto& b = out.backend();
  b.resize(4, 4);
  for (unsigned i = 0; i < 4; ++i) b.limbs()[i] = w[i];
  b.normalize();
  return out;
}

[[nodiscard]] inline u256 to_u256(const Words& x) noexcept { return to_u256(x.w); }

// The value's words in use, without copying them: one word means it fits in 64 bits.
[[nodiscard]] inline bool fits_word(const u256& v) noexcept { return v.backend().size() == 1; }
[[nodiscard]] inline bool fits_two_words(const u256& v) noexcept { return v.backend().size() <= 2; }
[[nodiscard]] inline Word low_word(const u256& v) noexcept { return v.backend().limbs()[0]; }

// a * b modulo 2^256, as u256's operator*.
[[nodiscard]] inline Words mul(const Words& a, const Words& b) noexcept {
  Words out;
  if (a.n <= 2 && b.n <= 2) {
    // Two words each, the common case (balances, indexes, prices): four products, no wrap.
    const DoubleWord p00 = DoubleWord{a.w[0]} * b.w[0];
    const DoubleWord p01 = DoubleWord{a.w[0]} * b.w[1];
    const DoubleWord p10 = DoubleWord{a.w[1]} * b.w[0];
    const DoubleWord p11 = DoubleWord{a.w[1]} * b.w[1];
    const DoubleWord mid = (p00 >> 64) + static_cast<Word>(p01) + static_cast<Word>(p10);
    const DoubleWord high = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<Word>(p11);
    out.w[0] = static_cast<Word>(p00);
    out.w[1] = static_cast<Word>(mid);
    out.w[2] = static_cast<Word>(high);
    out.w[3] = static_cast<Word>(high >> 64) + static_cast<Word>(p11 >> 64);
    out.n = 4;
    trim(out);
    return out;
  }
  for (unsigned i = 0; i < a.n; ++i) {
    Word carry = 0;
    for (unsigned j = 0; j < b.n && i + j < 4; ++j) {
      const DoubleWord t = DoubleWord{a.w[i]} * b.w[j] + out.w[i + j] + carry;
      out.w[i + j] = static_cast<Word>(t);
      carry = static_cast<Word>(t >> 64);
    }
    if (i + b.n < 4) out.w[i + b.n] = carry;
  }
  out.n = 4;
  trim(out);
  return out;
}

// x += y modulo 2^256, as u256's operator+.
inline void add(Words& x, const Words& y) noexcept {
  const unsigned n = x.n > y.n ? x.n : y.n;
  Word carry = 0;
  for (unsigned i = 0; i < 4 && (i < n || carry != 0); ++i) {
    const DoubleWord t = DoubleWord{x.w[i]} + y.w[i] + carry;
    x.w[i] = static_cast<Word>(t);
    carry = static_cast<Word>(t >> 64);
  }
  x.n = 4;
  trim(x);
}

// (hi:lo) / d with its remainder; the quotient fits in a word because hi < d.
[[nodiscard]] inline Word div_step(Word hi, Word lo, Word d, Word& remainder) noexcept {
#if defined(__x86_64__)
  // One instruction; a DoubleWord division would go through a library call for 128-bit divisors.
  Word q = 0;
  __asm__("divq %[d]" : "=a"(q), "=d"(remainder) : [d] "r"(d), "a"(lo), "d"(hi) : "cc");
  return q;
#else
  const DoubleWord n = (DoubleWord{hi} << 64) | lo;
  remainder = static_cast<Word>(n % d);
  return static_cast<Word>(n / d);
#endif
}

// x /= d (d != 0), as u256's operator/; returns the remainder.
inline Word div(Words& x, Word d) noexcept {
  Word r = 0;
  for (unsigned i = x.n; i-- > 0;) x.w[i] = div_step(r, x.w[i], d, r);
  trim(x);
  return r;
}

// x /= d for a divisor of two words (d1 != 0), as u256's operator/: Knuth's algorithm D, whose
// quotient digits are each estimated from the top words by one hardware division and corrected
// at most twice.
inline void div2(Words& x, Word d0, Word d1) noexcept {
  if (x.n < 2) {
    x = Words{};
    return;
  }
  // Normalised: the divisor's top bit set, the dividend shifted as much into a fifth word.
  const unsigned s = static_cast<unsigned>(__builtin_clzll(d1));
  const Word v1 = s == 0 ? d1 : (d1 << s) | (d0 >> (64 - s));
  const Word v0 = d0 << s;
  Word u[5] = {0, 0, 0, 0, 0};
  for (unsigned i = 0; i < 4; ++i) {
    u[i] |= x.w[i] << s;
    if (s != 0) u[i + 1] = x.w[i] >> (64 - s);
  }
  const unsigned n = x.n;  // dividend words; the quotient has n - 1 at most
  Words q;
  for (unsigned j = n - 1; j-- > 0;) {
    // Estimate from (u[j+2]:u[j+1]) / v1; u[j+2] <= v1 since the running remainder is below v.
    Word qhat = 0;
    Word rhat = 0;
    bool rhat_overflow = false;
    if (u[j + 2] >= v1) {
      qhat = ~Word{0};
      const DoubleWord r = DoubleWord{u[j + 1]} + v1;
      rhat = static_cast<Word>(r);
      rhat_overflow = (r >> 64) != 0;
    } else {
      qhat = div_step(u[j + 2], u[j + 1], v1, rhat);
    }
    while (!rhat_overflow && DoubleWord{qhat} * v0 > ((DoubleWord{rhat} << 64) | u[j])) {
      --qhat;
      const DoubleWord r = DoubleWord{rhat} + v1;
      rhat = static_cast<Word>(r);
      rhat_overflow = (r >> 64) != 0;
    }
    // u[j..j+2] -= qhat * v; a borrow out means qhat was still one too many.
    const DoubleWord p0 = DoubleWord{qhat} * v0;
    const DoubleWord p1 = DoubleWord{qhat} * v1 + static_cast<Word>(p0 >> 64);
    const DoubleWord t0 = DoubleWord{u[j]} - static_cast<Word>(p0);
    const Word b0 = static_cast<Word>(t0 >> 64) != 0 ? 1 : 0;
    const DoubleWord t1 = DoubleWord{u[j + 1]} - static_cast<Word>(p1) - b0;
    const Word b1 = static_cast<Word>(t1 >> 64) != 0 ? 1 : 0;
    const DoubleWord t2 = DoubleWord{u[j + 2]} - static_cast<Word>(p1 >> 64) - b1;
    u[j] = static_cast<Word>(t0);
    u[j + 1] = static_cast<Word>(t1);
    u[j + 2] = static_cast<Word>(t2);
    if (static_cast<Word>(t2 >> 64) != 0) {
      --qhat;
      const DoubleWord a0 = DoubleWord{u[j]} + v0;
      const DoubleWord a1 = DoubleWord{u[j + 1]} + v1 + static_cast<Word>(a0 >> 64);
      u[j] = static_cast<Word>(a0);
      u[j + 1] = static_cast<Word>(a1);
      u[j + 2] += static_cast<Word>(a1 >> 64);
    }
    q.w[j] = qhat;
  }
  q.n = n - 1;
  trim(q);
  x = q;
}

// The common shape of protocol math, operands of at most two words (balances, prices,
// indexes, percentages) and a divisor of one: straight-line code on four words, without the
// word counts and loops of the general paths above, which cost more than the arithmetic here.
struct Four {
  Word w[4] = {0, 0, 0, 0};
};

// Word `i` of a value that fits in two words (i < 2).
[[nodiscard]] inline Word word_of_two(const u256& v, unsigned i) noexcept {
  return i < v.backend().size() ? v.backend().limbs()[i] : 0;
}

// a * b + (c1:c0) for two-word operands: at most (2^128 - 1)^2 + 2^128 - 1 < 2^256, never
// wrapping.
[[nodiscard]] inline Four mul_add_two(const u256& a, const u256& b, Word c0 = 0,
                                      Word c1 = 0) noexcept {
  const Word a0 = word_of_two(a, 0), a1 = word_of_two(a, 1);
  const Word b0 = word_of_two(b, 0), b1 = word_of_two(b, 1);
  const DoubleWord p00 = DoubleWord{a0} * b0;
  const DoubleWord p01 = DoubleWord{a0} * b1;
  const DoubleWord p10 = DoubleWord{a1} * b0;
  const DoubleWord p11 = DoubleWord{a1} * b1;
  Four out;
  // Column by column; each sum stays under 2^130, inside a double word.
  DoubleWord t = DoubleWord{static_cast<Word>(p00)} + c0;
  out.w[0] = static_cast<Word>(t);
  t = (t >> 64) + (p00 >> 64) + static_cast<Word>(p01) + static_cast<Word>(p10) + c1;
  out.w[1] = static_cast<Word>(t);
  t = (t >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<Word>(p11);
  out.w[2] = static_cast<Word>(t);
  t = (t >> 64) + (p11 >> 64);
  out.w[3] = static_cast<Word>(t);
  return out;
}

// x / d for one word d != 0; the top words that are zero cost no division.
[[nodiscard]] inline Four div_one(const Four& x, Word d) noexcept {
  Four q;
  Word r = 0;
  for (int i = 3; i >= 0; --i) {
    if (r == 0 && x.w[i] < d) {
      r = x.w[i];  // q.w[i] stays 0
      continue;
    }
    q.w[i] = div_step(r, x.w[i], d, r);
  }
  return q;
}

// (a * b + c) / d for `a` of at most two words and one-word b, c and d (d != 0): under 2^192,
// never wrapping. The shape of percentages, token units and prices against an amount: three
// words of product, at most three divisions, no word counts to keep.
[[nodiscard]] inline u256 mul_word_add_div_word(const u256& a, Word b, Word c, Word d) noexcept {
  const auto& limbs = a.backend();
  const Word a0 = limbs.limbs()[0];
  const Word a1 = limbs.size() > 1 ? limbs.limbs()[1] : 0;
  const DoubleWord low = DoubleWord{a0} * b + c;  // at most 2^128 - 2^64: no carry out
  const DoubleWord high = DoubleWord{a1} * b + static_cast<Word>(low >> 64);
  Word r = 0;
  const Word w2 = static_cast<Word>(high >> 64);
  Word q2 = 0;
  if (w2 < d)
    r = w2;
  else
    q2 = div_step(0, w2, d, r);
  const Word q1 = div_step(r, static_cast<Word>(high), d, r);
  const Word q0 = div_step(r, static_cast<Word>(low), d, r);
  // Three limbs set directly: a fourth, always zero, would cost its normalisation on every call.
  u256 out;
  auto& limbs_out = out.backend();
  limbs_out.resize(3, 3);
  limbs_out.limbs()[0] = q0;
  limbs_out.limbs()[1] = q1;
  limbs_out.limbs()[2] = q2;
  limbs_out.normalize();
  return out;
}

[[nodiscard]] inline u256 to_u256(const Four& x) noexcept { return to_u256(x.w); }

// The bits `v` needs: 0 for zero, msb(v) + 1 otherwise.
[[nodiscard]] inline unsigned bit_width(const u256& v) noexcept {
  const auto& b = v.backend();
  const Word top = b.limbs()[b.size() - 1];
  if (top == 0) return 0;  // cpp_int keeps its top word non-zero, except for zero itself
  return 64 * (b.size() - 1) + 64 - static_cast<unsigned>(__builtin_clzll(top));
}

[[nodiscard]] inline bool all_two_words(const u256& a, const u256& b, const u256& c) noexcept {
  return fits_two_words(a) && fits_two_words(b) && fits_two_words(c);
}

}  // namespace chain::words

namespace chain {

// n / d (d != 0), exactly as u256's operator/.
[[nodiscard]] inline u256 div(const u256& n, const u256& d) {
  if (!words::fits_word(d)) return n / d;
  auto x = words::of(n);
  words::div(x, words::low_word(d));
  return words::to_u256(x);
}

// (a * b + c) / d (d != 0), wrapping as the u256 expression does.
[[nodiscard]] inline u256 mul_add_div(const u256& a, const u256& b, const u256& c, const u256& d) {
  if (words::fits_two_words(a) && words::fits_word(b) && words::fits_word(c) && words::fits_word(d))
    return words::mul_word_add_div_word(a, words::low_word(b), words::low_word(c),
                                        words::low_word(d));
  if (!words::fits_two_words(d)) return (a * b + c) / d;
  if (words::all_two_words(a, b, c)) {
    const auto sum = words::mul_add_two(a, b, words::word_of_two(c, 0), words::word_of_two(c, 1));
    if (words::fits_word(d)) return words::to_u256(words::div_one(sum, words::low_word(d)));
    words::Words x;
    for (unsigned i = 0; i < 4; ++i) x.w[i] = sum.w[i];
    x.n = 4;
    words::trim(x);
    words::div2(x, d.backend().limbs()[0], d.backend().limbs()[1]);
    return words::to_u256(x);
  }
  auto x = words::mul(words::of(a), words::of(b));
  words::add(x, words::of(c));
  if (words::fits_word(d))
    words::div(x, words::low_word(d));
  else
    words::div2(x, d.backend().limbs()[0], d.backend().limbs()[1]);
  return words::to_u256(x);
}

// a * b / d (d != 0), wrapping as the u256 expression does.
[[nodiscard]] inline u256 mul_div(const u256& a, const u256& b, const u256& d) {
  if (words::fits_two_words(a) && words::fits_word(b) && words::fits_word(d))
    return words::mul_word_add_div_word(a, words::low_word(b), 0, words::low_word(d));
  if (!words::fits_word(d)) return a * b / d;
  if (words::fits_two_words(a) && words::fits_two_words(b))
    return words::to_u256(words::div_one(words::mul_add_two(a, b), words::low_word(d)));
  auto x = words::mul(words::of(a), words::of(b));
  words::div(x, words::low_word(d));
  return words::to_u256(x);
}

// n / (d1 * d2) for non-zero factors whose product does not wrap: the same quotient as two
// divisions in turn (floor(floor(n / d1) / d2) is floor(n / (d1 * d2)) for positive integers),
// so a divisor above 64 bits made of two that fit needs no long division.
[[nodiscard]] inline u256 div_by_product(const u256& n, const u256& d1, const u256& d2) {
  if (!words::fits_word(d1) || !words::fits_word(d2)) return n / (d1 * d2);
  auto x = words::of(n);
  words::div(x, words::low_word(d1));
  words::div(x, words::low_word(d2));
  return words::to_u256(x);
}

// a * b * c / (d1 * d2), or nothing where Solidity's checked `a * b * c / (d1 * d2)` reverts:
// a product past 2^256, on either side, or a zero divisor. Prices and units of one word against
// an amount of two (the shape of every collateral-for-debt conversion) take a straight line:
// the amount's product with both factors, then the two one-word divisions.
[[nodiscard]] inline std::optional<u256> checked_mul3_div_by_product(const u256& a, const u256& b,
                                                                     const u256& c, const u256& d1,
                                                                     const u256& d2) {
  if (words::fits_word(a) && words::fits_two_words(b) && words::fits_word(c) &&
      words::fits_word(d1) && words::fits_word(d2)) {
    const words::Word x = words::low_word(d1);
    const words::Word y = words::low_word(d2);
    if (x == 0 || y == 0) return std::nullopt;  // d1 * d2 fits two words: only zero fails
    // Under 2^64 * 2^128 * 2^64: neither product can overflow, the last word takes no carry.
    const words::Four ab = words::mul_add_two(b, a);
    words::Four abc;
    words::Word carry = 0;
    for (unsigned i = 0; i < 4; ++i) {
      const words::DoubleWord t = words::DoubleWord{ab.w[i]} * words::low_word(c) + carry;
      abc.w[i] = static_cast<words::Word>(t);
      carry = static_cast<words::Word>(t >> 64);
    }
    return words::to_u256(words::div_one(words::div_one(abc, x), y));
  }
  auto numerator = checked_mul(a, b);
  if (numerator) numerator = checked_mul(*numerator, c);
  const auto divisor = checked_mul(d1, d2);
  if (!numerator || !divisor || *divisor == 0) return std::nullopt;
  return div_by_product(*numerator, d1, d2);
}

// (a * b + c) / (d1 * d2), wrapping as the u256 expression (a * b + c) / (d1 * d2) does in its
// numerator, with the product of the non-zero factors d1 and d2 not wrapping.
[[nodiscard]] inline u256 mul_add_div_by_product(const u256& a, const u256& b, const u256& c,
                                                 const u256& d1, const u256& d2) {
  if (!words::fits_word(d1) || !words::fits_word(d2)) return (a * b + c) / (d1 * d2);
  if (words::all_two_words(a, b, c))
    return words::to_u256(words::div_one(
        words::div_one(words::mul_add_two(a, b, words::word_of_two(c, 0), words::word_of_two(c, 1)),
                       words::low_word(d1)),
        words::low_word(d2)));
  auto x = words::mul(words::of(a), words::of(b));
  words::add(x, words::of(c));
  words::div(x, words::low_word(d1));
  words::div(x, words::low_word(d2));
  return words::to_u256(x);
}

}  // namespace chain
