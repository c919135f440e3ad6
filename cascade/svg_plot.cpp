#include "cascade/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cascade {
namespace {

using strategy::cascade::CascadeResult;

constexpr double kWidth = 960;
constexpr double kHeight = 440;

struct Panel {
  double x0, y0, w, h;            // plot area in pixels
  double xmin, xmax, ymin, ymax;  // data range
  [[nodiscard]] double px(double x) const {
    return xmax == xmin ? x0 : x0 + (x - xmin) / (xmax - xmin) * w;
  }
  [[nodiscard]] double py(double y) const {
    return ymax == ymin ? y0 + h : y0 + h - (y - ymin) / (ymax - ymin) * h;
  }
};

// 1, 2 or 5 × 10^k, so that about `n` ticks cover the span.
double nice_step(double span, int n) {
  if (!(span > 0)) return 1;
  const double raw = span / n;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string number(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.3gB", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  else if (a >= 1e3)
    std::snprintf(buf, sizeof buf, "%.4gk", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Symbols come from the chain: whatever they hold must not break the XML.
std::string escaped(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string text(double x, double y, const std::string& s, const char* anchor = "middle",
                 int size = 12) {
  // The element's head in a buffer, its text appended whole: a long symbol is not cut mid-tag.
  char buf[160];
  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">",
                x, y, size, anchor);
  return buf + escaped(s) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const char* stroke, double width = 1) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"%.1f\"/>\n",
                x1, y1, x2, y2, stroke, width);
  return buf;
}

// Axes with ticks; `x_label`/`y_label` name them.
std::string axes(Panel& p, const std::string& title, const std::string& x_label,
                 const std::string& y_label, bool integer_x) {
  std::string out;
  const double ystep = nice_step(p.ymax - p.ymin, 5);
  p.ymin = std::floor(p.ymin / ystep) * ystep;
  p.ymax = std::ceil(p.ymax / ystep) * ystep;
  if (p.ymax == p.ymin) p.ymax = p.ymin + ystep;
  out += line(p.x0, p.y0 + p.h, p.x0 + p.w, p.y0 + p.h, "#333");
  out += line(p.x0, p.y0, p.x0, p.y0 + p.h, "#333");
  for (double y = p.ymin; y <= p.ymax + ystep / 2; y += ystep) {
    out += line(p.x0, p.py(y), p.x0 + p.w, p.py(y), "#e4e4e4");
    out += text(p.x0 - 6, p.py(y) + 4, number(y), "end", 11);
  }
  const double xstep =
      integer_x ? std::max(1.0, nice_step(p.xmax - p.xmin, 8)) : nice_step(p.xmax - p.xmin, 8);
  for (double x = std::ceil(p.xmin / xstep) * xstep; x <= p.xmax + xstep / 2; x += xstep) {
    out += line(p.px(x), p.y0 + p.h, p.px(x), p.y0 + p.h + 4, "#333");
    out += text(p.px(x), p.y0 + p.h + 17, number(x), "middle", 11);
  }
  out += text(p.x0 + p.w / 2, p.y0 - 10, title, "middle", 14);
  out += text(p.x0 + p.w / 2, p.y0 + p.h + 34, x_label, "middle", 12);
  char rotate[192];
  std::snprintf(rotate, sizeof rotate,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
                "transform=\"rotate(-90 %.1f %.1f)\">",
                p.x0 - 52, p.y0 + p.h / 2, p.x0 - 52, p.y0 + p.h / 2);
  out += rotate + escaped(y_label) + "</text>\n";
  return out;
}

// From pale to deep red as the shock grows.
std::string colour(std::size_t i, std::size_t n) {
  const double t = n <= 1 ? 1.0 : static_cast<double>(i) / static_cast<double>(n - 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(240 - 60 * t),
                static_cast<int>(170 - 150 * t), static_cast<int>(60 - 40 * t));
  return buf;
}

double usd(const ReportContext& c, const chain::u256& v) {
  return c.base_unit == 0 ? 0 : chain::to_double(v) / chain::to_double(c.base_unit);
}

}  // namespace

std::string sweep_svg(const ReportContext& c, const std::vector<CascadeResult>& runs) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                kWidth, kHeight, kWidth, kHeight);
  out += buf;
  if (runs.empty()) return out + "</svg>\n";
  const std::string symbol = runs.front().shock.symbol;
  std::size_t id = 0;
  for (std::size_t i = 0; i < c.assets.size(); ++i)
    if (c.assets[i].symbol == symbol) id = i;

  // Left: the price path, one line per shock (point 0: the shock; point k: after round k's sales).
  std::vector<std::vector<double>> paths;
  double pmin = 1e300, pmax = 0;
  std::size_t longest = 1;
  for (const auto& r : runs) {
    std::vector<double> path;
    if (!r.rounds.empty()) path.push_back(usd(c, r.rounds.front().prices[id]));
    for (const auto& round : r.rounds) path.push_back(usd(c, round.prices_after[id]));
    for (const double v : path) {
      pmin = std::min(pmin, v);
      pmax = std::max(pmax, v);
    }
    longest = std::max(longest, path.size() > 0 ? path.size() - 1 : 0);
    paths.push_back(std::move(path));
  }
  if (pmin > pmax) pmin = pmax = 0;
  Panel left{80, 50, 360, 320, 0, static_cast<double>(longest), pmin, pmax};
  out += axes(left, symbol + " price after each round's sales", "round", symbol + " price (USD)",
              true);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::string points;
    for (std::size_t k = 0; k < paths[i].size(); ++k) {
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", left.px(static_cast<double>(k)),
                    left.py(paths[i][k]));
      points += buf;
    }
    // Appended whole: a long cascade's points do not fit a fixed buffer.
    out += "<polyline fill=\"none\" stroke=\"" + colour(i, paths.size()) +
           "\" stroke-width=\"2\" points=\"" + points + "\"/>\n";
    if (!paths[i].empty())
      out +=
          text(left.px(static_cast<double>(paths[i].size() - 1)) + 4, left.py(paths[i].back()) + 4,
               strategy::cascade::percent_text(runs[i].shock.basis_points), "start", 10);
  }

  // Right: collateral liquidated and bad debt left, against the shock.
  double vmax = 0;
  for (const auto& r : runs)
    vmax =
        std::max({vmax, usd(c, r.total_collateral_seized_base()), usd(c, r.final_bad_debt_base())});
  double smin = 0, smax = 0;
  for (const auto& r : runs) {
    const double s = r.shock.basis_points / 100.0;
    smin = std::min(smin, s);
    smax = std::max(smax, s);
  }
  Panel right{560, 50, 360, 320, smin, smax, 0, vmax};
  if (smin == smax) right.xmin = smin - 1, right.xmax = smax + 1;
  out += axes(right, "liquidated collateral and bad debt", symbol + " shock (%)", "USD", false);
  const double bar = std::max(2.0, right.w / (static_cast<double>(runs.size()) * 2.6));
  for (const auto& r : runs) {
    const double x = right.px(r.shock.basis_points / 100.0);
    const double seized = usd(c, r.total_collateral_seized_base());
    const double bad = usd(c, r.final_bad_debt_base());
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b6fb6\"/>\n",
                  x - bar, right.py(seized), bar, right.y0 + right.h - right.py(seized));
    out += buf;
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c0392b\"/>\n",
                  x, right.py(bad), bar, right.y0 + right.h - right.py(bad));
    out += buf;
  }
  out += "<rect x=\"580\" y=\"64\" width=\"12\" height=\"12\" fill=\"#3b6fb6\"/>\n";
  out += text(598, 75, "collateral liquidated (all rounds)", "start", 11);
  out += "<rect x=\"580\" y=\"82\" width=\"12\" height=\"12\" fill=\"#c0392b\"/>\n";
  out += text(598, 93, "bad debt left", "start", 11);
  std::snprintf(buf, sizeof buf, "keeper cascade at block %llu",
                static_cast<unsigned long long>(c.block));
  out += text(kWidth / 2, kHeight - 12, buf, "middle", 11);
  return out + "</svg>\n";
}

}  // namespace cascade
