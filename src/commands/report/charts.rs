//! The charts of `gridrisk report`, each drawn by plotters into an SVG string.
//!
//! Every function returns the text of one `<svg>` element (plotters escapes the text it
//! writes). Category labels are drawn on the root area so that long scenario names are never
//! clipped; multi-series legends are left to the caller (HTML beside the chart).

use anyhow::{anyhow, bail, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of every chart, pixels.
pub const WIDTH: u32 = 960;
const FONT: &str = "sans-serif";

/// The series colours (Tableau 10).
pub const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// Colour `i` of the palette (cycling).
pub fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// Colour `i` as CSS `#rrggbb`.
pub fn css_color(i: usize) -> String {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// An estimate: a mean and, where defined, its 95% interval.
#[derive(Clone, Copy, Debug)]
pub struct Est {
    pub mean: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// One panel of a [`Panels`] chart: its caption (what and unit) and a value (or none) per
/// row.
pub struct Panel {
    pub caption: String,
    pub values: Vec<Option<Est>>,
    /// The unit written after each bar's value (`h`, `MWh`); bars only.
    pub unit: &'static str,
}

/// Small multiples: one row per category (a region, a scenario, a line), drawn once on the
/// left, and one panel per quantity beside it, each on its own scale, so that a region with
/// 0.05 h and one with 95 h can both be read. Each value is a bar from zero or a dot, with
/// its 95% interval whisker.
pub struct Panels<'a> {
    pub title: &'a str,
    pub rows: Vec<String>,
    /// Colour (palette index) of each row's marks; missing rows take colour 0.
    pub row_colors: Vec<usize>,
    pub panels: Vec<Panel>,
    /// Bars from zero (otherwise dots, as in a forest plot).
    pub bars: bool,
    /// Draw a vertical line at zero (differences).
    pub zero_line: bool,
}

fn draw_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing a chart: {e}")
}

/// Shorten a label to at most `max` characters.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// The decimals that keep the labels of a linear axis over `lo..hi` with at most `n` labels
/// distinct: plotters steps by 1, 2 or 5 times a power of ten, never less than the range
/// over `n`, so the decimals of that quotient are enough (0.0005 apart: four decimals).
pub fn axis_decimals(lo: f64, hi: f64, n: usize) -> usize {
    let step = (hi - lo).abs() / n.max(1) as f64;
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    (-step.log10().floor()).clamp(0.0, 12.0) as usize
}

/// A tick label: `decimals` places with trailing zeros trimmed and thousands separated,
/// never scientific notation, no `-0`.
pub fn tick_label(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => ("", rest.to_string()),
        Some(rest) => ("-", rest.to_string()),
        None => ("", s),
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (s.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}{frac}")
}

/// The range of a panel's values (means and interval ends), widened to take zero when
/// `with_zero`, and padded.
fn panel_range(values: &[Option<Est>], with_zero: bool, bars: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for e in values.iter().flatten() {
        for x in [Some(e.mean), e.lo, e.hi].into_iter().flatten() {
            if x.is_finite() {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if with_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let pad = 0.06 * (hi - lo);
    if !(bars && lo == 0.0) {
        lo -= pad;
    }
    (lo, hi + pad)
}

/// A bar's value label: three significant figures and the unit (`0.0512 h`, `31,700 MWh`),
/// never a bare number, which would read as a tick label.
fn value_label(v: f64, unit: &str) -> String {
    let places = if v == 0.0 || !v.is_finite() {
        0
    } else {
        (2.0 - v.abs().log10().floor()).clamp(0.0, 9.0) as usize
    };
    let rounded = if v.abs() >= 1000.0 {
        let scale = 10f64.powf(v.abs().log10().floor() - 2.0);
        (v / scale).round() * scale
    } else {
        v
    };
    format!("{} {unit}", tick_label(rounded, places))
}

/// A small-multiples chart (see [`Panels`]).
pub fn panels(c: &Panels) -> Result<String> {
    let n = c.rows.len();
    let k = c.panels.len();
    if n == 0 || k == 0 {
        bail!("chart {:?} has no rows or no panels", c.title);
    }
    if c.panels
        .iter()
        .all(|p| p.values.iter().all(Option::is_none))
    {
        bail!("chart {:?} has no values", c.title);
    }
    let labels: Vec<String> = c.rows.iter().map(|r| truncate(r, 52)).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let label_w = (longest as u32 * 7 + 20).clamp(70, 390);
    // At least 150 px per panel: the page scales a wider chart down.
    let width = WIDTH.max(label_w + 150 * k as u32);
    let row_h = 26;
    let height = 120 + row_h * n as u32;
    let ticks = if k > 2 { 3 } else { 5 };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let body = root.titled(c.title, (FONT, 17)).map_err(draw_err)?;
        let (_, plots) = body.split_horizontally(label_w);
        let areas = plots.split_evenly((1, k));
        let mut row_px: Vec<i32> = Vec::new();
        let value_style = (FONT, 11)
            .into_text_style(&root)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (area, p) in areas.iter().zip(&c.panels) {
            let (lo, mut hi) = panel_range(&p.values, c.bars || c.zero_line, c.bars);
            if c.bars {
                // Room for the value labels right of the bars.
                hi += 0.3 * (hi - lo);
            }
            let places = axis_decimals(lo, hi, ticks);
            let mut chart = ChartBuilder::on(area)
                .caption(&p.caption, (FONT, 14))
                .margin_left(6)
                .margin_right(14)
                .margin_top(4)
                .x_label_area_size(30)
                .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
                .map_err(draw_err)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(ticks)
                .x_label_formatter(&|v| tick_label(*v, places))
                .label_style((FONT, 12))
                .light_line_style(RGBColor(238, 238, 238))
                .draw()
                .map_err(draw_err)?;
            let row_y = |i: usize| (n - 1 - i) as f64;
            if lo < 0.0 && hi > 0.0 && c.zero_line {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                        BLACK.stroke_width(1),
                    )))
                    .map_err(draw_err)?;
            }
            for (i, e) in p.values.iter().enumerate() {
                let Some(e) = e else { continue };
                if !e.mean.is_finite() {
                    continue;
                }
                let col = color(c.row_colors.get(i).copied().unwrap_or(0));
                let y = row_y(i);
                if c.bars {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(0.0, y - 0.3), (e.mean, y + 0.3)],
                            col.mix(0.75).filled(),
                        )))
                        .map_err(draw_err)?;
                    let end = [Some(e.mean), e.hi]
                        .into_iter()
                        .flatten()
                        .filter(|x| x.is_finite())
                        .fold(e.mean.max(0.0), f64::max);
                    let (px, py) = chart.backend_coord(&(end, y));
                    // Backend coordinates: drawn on the root, as the row labels are.
                    root.draw(&Text::new(
                        value_label(e.mean, p.unit),
                        (px + 5, py),
                        value_style.clone(),
                    ))
                    .map_err(draw_err)?;
                } else {
                    chart
                        .draw_series(std::iter::once(Circle::new((e.mean, y), 4, col.filled())))
                        .map_err(draw_err)?;
                }
                if let (Some(l), Some(h)) = (e.lo, e.hi) {
                    if l.is_finite() && h.is_finite() {
                        let stroke = BLACK.stroke_width(1);
                        chart
                            .draw_series([
                                PathElement::new(vec![(l, y), (h, y)], stroke),
                                PathElement::new(vec![(l, y - 0.15), (l, y + 0.15)], stroke),
                                PathElement::new(vec![(h, y - 0.15), (h, y + 0.15)], stroke),
                            ])
                            .map_err(draw_err)?;
                    }
                }
            }
            if row_px.is_empty() {
                row_px = (0..n)
                    .map(|i| chart.backend_coord(&(lo, row_y(i))).1)
                    .collect();
            }
        }
        let style = (FONT, 13)
            .into_text_style(&root)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (label, py) in labels.iter().zip(row_px) {
            root.draw(&Text::new(
                label.clone(),
                (label_w as i32 - 8, py),
                style.clone(),
            ))
            .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// White to dark red through yellow and orange, for `t` in [0, 1].
fn heat(t: f64) -> RGBColor {
    let stops: [(f64, (f64, f64, f64)); 4] = [
        (0.0, (255.0, 255.0, 255.0)),
        (0.25, (254.0, 217.0, 118.0)),
        (0.6, (253.0, 141.0, 60.0)),
        (1.0, (165.0, 0.0, 38.0)),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    for w in stops.windows(2) {
        let ((t0, c0), (t1, c1)) = (w[0], w[1]);
        if t <= t1 {
            let f = (t - t0) / (t1 - t0);
            let m = |a: f64, b: f64| (a + f * (b - a)).round() as u8;
            return RGBColor(m(c0.0, c1.0), m(c0.1, c1.1), m(c0.2, c1.2));
        }
    }
    RGBColor(165, 0, 38)
}

/// How the days of a window are named on an axis: by date where the window has dates,
/// by number otherwise.
pub struct DayAxis<'a> {
    /// The axis description of days and of weeks.
    pub day_desc: &'a str,
    pub week_desc: &'a str,
    /// The label of day `d` (1-based) of the window.
    pub day: &'a dyn Fn(usize) -> String,
    /// At most this many labels along the axis (dates are wider than numbers).
    pub max_labels: usize,
}

/// Label of an axis value that should be a whole day or week number: the label of that
/// number, or nothing between whole numbers.
fn whole(v: f64, label: impl Fn(usize) -> String) -> String {
    let r = v.round();
    if (v - r).abs() < 1e-6 && r >= 1.0 {
        label(r as usize)
    } else {
        String::new()
    }
}

/// The shortfall-probability heatmap: `p[hour][week]`, weeks named by `days` (week `w`
/// by its first day).
pub fn heatmap(title: &str, p: &[Vec<f64>], days: &DayAxis) -> Result<String> {
    let hours = p.len();
    let weeks = p.iter().map(Vec::len).max().unwrap_or(0);
    if hours == 0 || weeks == 0 {
        bail!("heatmap {title:?} has no cells");
    }
    let pmax = p
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let scale = if pmax > 0.0 { pmax } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (main, bar) = root.split_horizontally(WIDTH - 150);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, (FONT, 17))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(60)
            .build_cartesian_2d(0.5..weeks as f64 + 0.5, -0.5..hours as f64 - 0.5)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(weeks.min(days.max_labels))
            .y_labels(13)
            .x_label_formatter(&|v| whole(*v, |w| (days.day)(7 * (w - 1) + 1)))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(days.week_desc)
            .y_desc("hour of day (h, scenario clock)")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(draw_err)?;
        let cells = p.iter().enumerate().flat_map(|(h, row)| {
            row.iter().enumerate().map(move |(w, &x)| {
                let (x0, y0) = (w as f64 + 0.5, h as f64 - 0.5);
                Rectangle::new([(x0, y0), (x0 + 1.0, y0 + 1.0)], heat(x / scale).filled())
            })
        });
        chart.draw_series(cells).map_err(draw_err)?;
        let bar_places = axis_decimals(0.0, scale, 6);
        let mut bar_chart = ChartBuilder::on(&bar)
            .margin_top(44)
            .margin_bottom(58)
            .margin_right(12)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..1.0, 0.0..scale)
            .map_err(draw_err)?;
        bar_chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&|v| tick_label(*v, bar_places))
            .y_desc("P(shortfall in the hour)")
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(draw_err)?;
        let steps = 60;
        bar_chart
            .draw_series((0..steps).map(|i| {
                let a = scale * i as f64 / steps as f64;
                let b = scale * (i + 1) as f64 / steps as f64;
                Rectangle::new([(0.0, a), (1.0, b)], heat((a + b) / 2.0 / scale).filled())
            }))
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// The exceedance curve: points `(x, P(EUE > x))` on a logarithmic probability axis (the
/// tail, where the risk is, spans decades), and labelled vertical marks (percentiles).
/// Probabilities below `p_min` (one sample in the run) are drawn at `p_min`.
pub fn exceedance(
    title: &str,
    x_label: &str,
    pts: &[(f64, f64)],
    marks: &[(String, f64)],
    p_min: f64,
) -> Result<String> {
    if pts.is_empty() {
        bail!("exceedance curve {title:?} has no points");
    }
    let xmax = pts
        .iter()
        .map(|p| p.0)
        .chain(marks.iter().map(|m| m.1))
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let xmax = if xmax > 0.0 { xmax * 1.03 } else { 1.0 };
    // From the decade below the least probability to 1.
    let smallest = pts
        .iter()
        .map(|p| p.1)
        .chain(std::iter::once(p_min))
        .filter(|&p| p > 0.0 && p.is_finite())
        .fold(1.0, f64::min);
    let decades = (-smallest.log10()).ceil().clamp(1.0, 12.0) as i32;
    let ymin = 10f64.powi(-decades);
    let x_places = axis_decimals(0.0, xmax, 10);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 17))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(80)
            // A hair below the last decade, so that it gets its label.
            .build_cartesian_2d(0.0..xmax, (ymin * 0.999..1.0).log_scale())
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_labels(10)
            // One label per decade: 1, 0.1, 0.01, ...
            .y_labels(decades as usize)
            .x_label_formatter(&|v| tick_label(*v, x_places))
            .y_label_formatter(&|v| tick_label(*v, (-v.log10().round()).max(0.0) as usize))
            .x_desc(x_label)
            .y_desc("P(sample's EUE > x), log scale")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(draw_err)?;
        let mut step = Vec::with_capacity(2 * pts.len());
        for (i, &(x, p)) in pts.iter().enumerate() {
            let p = p.max(ymin);
            if i > 0 {
                step.push((x, pts[i - 1].1.max(ymin)));
            }
            step.push((x, p));
        }
        chart
            .draw_series(LineSeries::new(step, color(0).stroke_width(2)))
            .map_err(draw_err)?;
        let style = (FONT, 12)
            .into_text_style(&root)
            .pos(Pos::new(HPos::Left, VPos::Top));
        for (j, (name, x)) in marks.iter().enumerate() {
            if !x.is_finite() {
                continue;
            }
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*x, ymin), (*x, 1.0)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )))
                .map_err(draw_err)?;
            let (px, py) = chart.backend_coord(&(*x, 1.0));
            root.draw(&Text::new(
                name.clone(),
                (px + 3, py + 2 + 14 * j as i32),
                style.clone(),
            ))
            .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// A path over days: the first line with its 10-90% band, then more mean lines.
pub struct Path {
    pub name: String,
    pub mean: Vec<f64>,
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// A chart of paths over the days of the window (`x` = day 1, 2, ..., named by `days`).
pub fn paths(title: &str, days_axis: &DayAxis, y_label: &str, paths: &[Path]) -> Result<String> {
    let days = paths.iter().map(|p| p.mean.len()).max().unwrap_or(0);
    if days == 0 {
        bail!("chart {title:?} has no days");
    }
    let ymax = paths
        .iter()
        .flat_map(|p| {
            p.mean
                .iter()
                .chain(p.band.iter().flat_map(|(_, hi)| hi.iter()))
        })
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let ymax = if ymax > 0.0 { ymax * 1.08 } else { 1.0 };
    let y_places = axis_decimals(0.0, ymax, 8);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 17))
            .margin(12)
            // Room for the last date label.
            .margin_right(30)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(1.0..days as f64, 0.0..ymax)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_labels(days.saturating_sub(1).clamp(2, days_axis.max_labels))
            .y_labels(8)
            .x_label_formatter(&|v| whole(*v, days_axis.day))
            .y_label_formatter(&|v| tick_label(*v, y_places))
            .x_desc(days_axis.day_desc)
            .y_desc(y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(draw_err)?;
        for (i, p) in paths.iter().enumerate() {
            if let Some((lo, hi)) = &p.band {
                let mut poly: Vec<(f64, f64)> = hi
                    .iter()
                    .enumerate()
                    .map(|(d, &y)| ((d + 1) as f64, y))
                    .collect();
                poly.extend(
                    lo.iter()
                        .enumerate()
                        .rev()
                        .map(|(d, &y)| ((d + 1) as f64, y)),
                );
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, color(i).mix(0.22))))
                    .map_err(draw_err)?;
            }
            let width = if i == 0 { 3 } else { 2 };
            chart
                .draw_series(LineSeries::new(
                    p.mean.iter().enumerate().map(|(d, &y)| ((d + 1) as f64, y)),
                    color(i).stroke_width(width),
                ))
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// A chart of lines over consecutive hours (`x` = 0, 1, ..., labelled by `hour_label`),
/// with the hours `marked` shaded (the event's).
pub fn hours(
    title: &str,
    hour_label: &dyn Fn(usize) -> String,
    x_desc: &str,
    y_label: &str,
    lines: &[(String, Vec<f64>)],
    marked: std::ops::Range<usize>,
) -> Result<String> {
    let n = lines.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    if n < 2 {
        bail!("chart {title:?} has fewer than two hours");
    }
    let values = || lines.iter().flat_map(|(_, v)| v.iter().copied());
    let ymax = values().filter(|x| x.is_finite()).fold(0.0, f64::max);
    let ymin = values().filter(|x| x.is_finite()).fold(0.0, f64::min);
    let pad = (ymax - ymin).max(1.0) * 0.08;
    let (ylo, yhi) = (if ymin < 0.0 { ymin - pad } else { 0.0 }, ymax + pad);
    let y_places = axis_decimals(ylo, yhi, 8);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let last = (n - 1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 17))
            .margin(12)
            .margin_right(40)
            .x_label_area_size(46)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..last, ylo..yhi)
            .map_err(draw_err)?;
        // One label every 6 hours at most (every 12 or 24 over longer spans).
        let step = [6, 12, 24, 48, 96]
            .into_iter()
            .find(|s| n / s <= 10)
            .unwrap_or(168);
        chart
            .configure_mesh()
            .x_labels(n / step + 1)
            .y_labels(8)
            .x_label_formatter(&|v| {
                let r = v.round();
                let h = r as usize;
                if (v - r).abs() < 1e-6 && r >= 0.0 && h % step == 0 {
                    hour_label(h)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| tick_label(*v, y_places))
            .x_desc(x_desc)
            .y_desc(y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(draw_err)?;
        if !marked.is_empty() {
            // The event's hours: hour h covers [h - 0.5, h + 0.5].
            let (a, b) = (
                (marked.start as f64 - 0.5).max(0.0),
                (marked.end as f64 - 0.5).min(last),
            );
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, ylo), (b, yhi)],
                    RGBColor(214, 39, 40).mix(0.08).filled(),
                )))
                .map_err(draw_err)?;
        }
        for (i, (_, v)) in lines.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    v.iter().enumerate().map(|(h, &y)| (h as f64, y)),
                    color(i).stroke_width(2),
                ))
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_of_a_small_range_are_distinct() {
        // The colour bar of the screenshots: 0 to 0.0024 in six labels, steps of 0.0005.
        let places = axis_decimals(0.0, 0.0024, 6);
        let labels: Vec<String> = (0..5)
            .map(|i| tick_label(0.0005 * i as f64, places))
            .collect();
        assert_eq!(labels, ["0", "0.0005", "0.001", "0.0015", "0.002"]);
    }

    #[test]
    fn bar_values_have_three_figures_and_a_unit() {
        assert_eq!(value_label(0.0512, "h"), "0.0512 h");
        assert_eq!(value_label(101.04, "h"), "101 h");
        assert_eq!(value_label(31_696.0, "MWh"), "31,700 MWh");
        assert_eq!(value_label(0.0, "h"), "0 h");
    }

    #[test]
    fn tick_labels_are_plain_grouped_and_never_minus_zero() {
        assert_eq!(tick_label(107_273.0, 0), "107,273");
        assert_eq!(tick_label(-0.0000001, 3), "0");
        assert_eq!(tick_label(-2500.5, 1), "-2,500.5");
        assert_eq!(tick_label(1e-7, 9), "0.0000001");
        assert_eq!(axis_decimals(0.0, 200_000.0, 5), 0);
        assert_eq!(axis_decimals(0.0, 1.0, 0), 0);
    }
}
