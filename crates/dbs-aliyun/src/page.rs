//! Paged listings.

use cloud_http::model::lenient::opt_int;
use serde::{Deserialize, Serialize};

/// One page of a listing.
///
/// Serializes flat, the same for both API versions: `Items`, then `PageNumber` (DBS's
/// `PageNumber` or `PageNum`), `PageSize`, `TotalElements`, `TotalPages` and `RequestId`, absent
/// counts left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number (`PageNumber`, or `PageNum` in 2019-03-06).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u64>,
    /// Items per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u64>,
    /// Items in all pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_elements: Option<u64>,
    /// Number of pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u64>,
    /// The request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl<T> Page<T> {
    pub(crate) fn new(items: Vec<T>, counts: PageCounts, request_id: Option<String>) -> Self {
        Page {
            items,
            page_number: counts.page_number.or(counts.page_num),
            page_size: counts.page_size,
            total_elements: counts.total_elements,
            total_pages: counts.total_pages,
            request_id,
        }
    }
}

/// A page of a listing as [`every_page`](crate::client) walks it: its items come out of each
/// page, and the last page (items gone) becomes the whole listing with every item put back.
pub(crate) trait Paged: Sized {
    /// What the listing lists.
    type Item;
    /// Takes the page's items out, with the total across all pages when the service says.
    fn take_items(&mut self) -> (Vec<Self::Item>, Option<u64>);
    /// The whole listing: the last page's other fields, every page's `items`, `total` (the last
    /// total the service gave) and no page number.
    fn into_all(self, items: Vec<Self::Item>, total: Option<u64>) -> Self;
}

impl<T> Paged for Page<T> {
    type Item = T;

    fn take_items(&mut self) -> (Vec<T>, Option<u64>) {
        (std::mem::take(&mut self.items), self.total_elements)
    }

    fn into_all(self, items: Vec<T>, total: Option<u64>) -> Self {
        Page {
            items,
            page_number: None,
            total_elements: total,
            ..self
        }
    }
}

/// The paging fields of both API versions (`PageNumber` in 2021-01-01, `PageNum` in 2019-03-06).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PageCounts {
    #[serde(default, deserialize_with = "opt_int")]
    page_number: Option<u64>,
    #[serde(default, deserialize_with = "opt_int")]
    page_num: Option<u64>,
    #[serde(default, deserialize_with = "opt_int")]
    page_size: Option<u64>,
    #[serde(default, deserialize_with = "opt_int")]
    total_elements: Option<u64>,
    #[serde(default, deserialize_with = "opt_int")]
    total_pages: Option<u64>,
}
