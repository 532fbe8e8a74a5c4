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

/// One series of a rows chart: a value (or none) per row.
pub struct Series {
    pub values: Vec<Option<Est>>,
}

/// A horizontal chart with one row per category (a region, a scenario, an import source):
/// bars or dots, each with its 95% interval whisker.
pub struct RowsChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub rows: Vec<String>,
    pub series: Vec<Series>,
    /// Bars from zero (otherwise dots, as in a forest plot).
    pub bars: bool,
    /// Draw a vertical line at zero.
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

/// Axis tick labels: short, with thousands as k and millions as M.
fn tick(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e4 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A rows chart (see [`RowsChart`]).
pub fn rows_chart(c: &RowsChart) -> Result<String> {
    let n = c.rows.len();
    let k = c.series.len().max(1);
    if n == 0 {
        bail!("chart {:?} has no rows", c.title);
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in &c.series {
        for e in s.values.iter().flatten() {
            for x in [Some(e.mean), e.lo, e.hi].into_iter().flatten() {
                if x.is_finite() {
                    lo = lo.min(x);
                    hi = hi.max(x);
                }
            }
        }
    }
    if !lo.is_finite() {
        bail!("chart {:?} has no values", c.title);
    }
    if c.bars || c.zero_line {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let pad = 0.05 * (hi - lo);
    if !(c.bars && lo == 0.0) {
        lo -= pad;
    }
    hi += pad;
    let labels: Vec<String> = c.rows.iter().map(|r| truncate(r, 52)).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let label_w = (longest as u32 * 7 + 20).clamp(70, 390);
    let row_h: u32 = if k > 1 {
        (8 * k as u32 + 10).max(26)
    } else {
        28
    };
    let height = 110 + row_h * n as u32;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(c.title, (FONT, 17))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(label_w)
            .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_label_formatter(&|v| tick(*v))
            .x_desc(c.x_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(draw_err)?;
        let row_y = |i: usize| (n - 1 - i) as f64;
        if c.zero_line {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                    BLACK.stroke_width(1),
                )))
                .map_err(draw_err)?;
        }
        let band = 0.7;
        let thick = band / k as f64;
        for (s_i, s) in c.series.iter().enumerate() {
            let col = color(s_i);
            for (i, e) in s.values.iter().enumerate() {
                let Some(e) = e else { continue };
                if !e.mean.is_finite() {
                    continue;
                }
                let y = row_y(i) + band / 2.0 - thick * (s_i as f64 + 0.5);
                if c.bars {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(0.0, y - thick * 0.42), (e.mean, y + thick * 0.42)],
                            col.mix(0.75).filled(),
                        )))
                        .map_err(draw_err)?;
                } else {
                    chart
                        .draw_series(std::iter::once(Circle::new((e.mean, y), 4, col.filled())))
                        .map_err(draw_err)?;
                }
                if let (Some(l), Some(h)) = (e.lo, e.hi) {
                    if l.is_finite() && h.is_finite() {
                        let cap = (thick * 0.3).min(0.15);
                        let stroke = BLACK.stroke_width(1);
                        chart
                            .draw_series([
                                PathElement::new(vec![(l, y), (h, y)], stroke),
                                PathElement::new(vec![(l, y - cap), (l, y + cap)], stroke),
                                PathElement::new(vec![(h, y - cap), (h, y + cap)], stroke),
                            ])
                            .map_err(draw_err)?;
                    }
                }
            }
        }
        let style = (FONT, 13)
            .into_text_style(&root)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, label) in labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(lo, row_y(i)));
            root.draw(&Text::new(label.clone(), (px - 8, py), style.clone()))
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

/// The shortfall-probability heatmap: `p[hour][week]`.
pub fn heatmap(title: &str, p: &[Vec<f64>]) -> Result<String> {
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
        let (main, bar) = root.split_horizontally(WIDTH - 130);
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
            .x_labels(weeks.min(26))
            .y_labels(13)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("week of the study window (week 1 = its first 7 days)")
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
        let mut bar_chart = ChartBuilder::on(&bar)
            .margin_top(44)
            .margin_bottom(58)
            .margin_right(12)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..1.0, 0.0..scale)
            .map_err(draw_err)?;
        bar_chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&|v| trim(*v))
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

/// The exceedance curve: points `(x, P(EUE > x))`, and labelled vertical marks
/// (percentiles).
pub fn exceedance(
    title: &str,
    x_label: &str,
    pts: &[(f64, f64)],
    marks: &[(String, f64)],
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
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 17))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..xmax, 0.0..1.05)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(11)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| trim(*v))
            .x_desc(x_label)
            .y_desc("probability that a sample's EUE exceeds x")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(draw_err)?;
        let mut step = Vec::with_capacity(2 * pts.len());
        for (i, &(x, p)) in pts.iter().enumerate() {
            if i > 0 {
                step.push((x, pts[i - 1].1));
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
                    vec![(*x, 0.0), (*x, 1.05)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )))
                .map_err(draw_err)?;
            let (px, py) = chart.backend_coord(&(*x, 1.05 - 0.06 * j as f64));
            root.draw(&Text::new(name.clone(), (px + 3, py + 2), style.clone()))
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

/// A chart of paths over the days of the window (`x` = day 1, 2, ...).
pub fn paths(title: &str, x_label: &str, y_label: &str, paths: &[Path]) -> Result<String> {
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
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 17))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(1.0..days as f64, 0.0..ymax)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_labels(12)
            .y_labels(8)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| tick(*v))
            .x_desc(x_label)
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
