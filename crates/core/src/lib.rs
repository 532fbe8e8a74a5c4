/*!
The system model of gridrisk: what exists, and the files that describe it.

* [`SystemModel`] is an immutable, validated description of a power system over a study
  window: its [`Calendar`], its [`Region`]s with hourly demand, and its generating units
  ([`Units`], struct of arrays, sorted by region).
* [`scenario`] reads TOML + CSV scenario files into a `SystemModel`, reporting bad input
  with the file, line and field at fault ([`scenario::ScenarioError`]).
* Power is integer watts and energy integer watt-hours throughout ([`power`]), so ties
  between load and capacity are decided exactly and sums are associative; [`bounds`]
  bounds every input so that no such sum can wrap.

Only [`files`] (regular files within a size limit) and `scenario`, through it, read files;
everything else is plain data.
*/
#![deny(missing_docs)]

pub mod bounds;
pub mod calendar;
pub mod dispatch;
pub mod files;
pub mod hash;
pub mod model;
pub mod power;
pub mod scenario;

pub use calendar::Calendar;
pub use model::{Region, SystemModel, Units};
