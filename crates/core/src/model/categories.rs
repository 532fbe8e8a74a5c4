//! Asset categories: the `category` labels of units, storages, generator-storages, demand
//! responses and lines (PRAS's `_core` `category` fields). The engine never reads them;
//! they are carried so that `.pras` -> scenario -> `.pras` keeps them.

use std::collections::BTreeMap;

/// Category labels by (scenario table, element name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Categories {
    by_element: BTreeMap<(String, String), String>,
}

impl Categories {
    /// Label element `name` of `table` (`"units"`, `"lines"`, ...) with `category`.
    pub fn set(&mut self, table: &str, name: &str, category: String) {
        self.by_element
            .insert((table.to_string(), name.to_string()), category);
    }

    /// The category of the model's asset `name` of `table`, if its element has one. A
    /// block's assets are named `NAME#k` in the model: they take the block's category.
    pub fn of(&self, table: &str, name: &str) -> Option<&str> {
        let get = |n: &str| self.by_element.get(&(table.to_string(), n.to_string()));
        get(name)
            .or_else(|| name.rsplit_once('#').and_then(|(block, _)| get(block)))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_s_units_take_its_category() {
        let mut c = Categories::default();
        c.set("units", "CT", "Oil CT".into());
        c.set("lines", "A-B", "AC".into());
        assert_eq!(c.of("units", "CT"), Some("Oil CT"));
        assert_eq!(c.of("units", "CT#3"), Some("Oil CT"));
        assert_eq!(c.of("lines", "CT"), None);
        assert_eq!(c.of("units", "A-B"), None);
        assert_eq!(c.of("lines", "A-B"), Some("AC"));
    }
}
