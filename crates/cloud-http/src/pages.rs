//! Listings that span pages: one loop for every vendor's paging style, with the stops a lying
//! or changing listing needs.

use std::future::Future;

use crate::{Error, OperationName};

/// The most pages a listing is followed through before it is called endless (a service that
/// answers full pages forever, or a total that keeps growing).
pub const MAX_PAGES: u64 = 10_000;

/// One page, as the loop of [`all_pages`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOf<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items the listing has in all pages, when the service says.
    pub total: Option<u64>,
}

/// Every item of a listing, in order, and the last total the service gave.
///
/// `fetch(index, fetched)` asks for page `index` (0-based; the caller maps it to its vendor's
/// `PageNumber` from 1, `PageNum` from 0, or `Offset = fetched`), each page of `page_size`
/// items. The loop stops at an empty page, at a page shorter than `page_size`, or once `total`
/// items are in; a listing still going after [`MAX_PAGES`] pages is an
/// [`Error::UnreadableResponse`] of `operation`, not an endless loop.
///
/// ```
/// # tokio_test_block_on(async {
/// use cloud_http::{OperationName, PageOf, all_pages};
/// let letters: Vec<char> = ('a'..='e').collect();
/// let operation = OperationName { vendor: "example", action: "ListLetters" };
/// let (all, total) = all_pages(operation, 2, |index, _fetched| {
///     let page: Vec<char> = letters.iter().copied().skip(index as usize * 2).take(2).collect();
///     async move { Ok(PageOf { items: page, total: Some(5) }) }
/// })
/// .await
/// .unwrap();
/// assert_eq!(all, letters);
/// assert_eq!(total, Some(5));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub async fn all_pages<T, F, Fut>(
    operation: OperationName,
    page_size: u64,
    mut fetch: F,
) -> Result<(Vec<T>, Option<u64>), Error>
where
    F: FnMut(u64, u64) -> Fut,
    Fut: Future<Output = Result<PageOf<T>, Error>>,
{
    let mut all = Vec::new();
    let mut total = None;
    for index in 0..MAX_PAGES {
        let page = fetch(index, all.len() as u64).await?;
        let got = page.items.len() as u64;
        total = page.total.or(total);
        all.extend(page.items);
        let short = got == 0 || got < page_size;
        let complete = total.is_some_and(|t| all.len() as u64 >= t);
        if short || complete {
            return Ok((all, total));
        }
    }
    Err(Error::UnreadableResponse {
        operation,
        status: 200,
        request_id: None,
        reason: format!("the listing did not end after {MAX_PAGES} pages"),
        excerpt: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: OperationName = OperationName {
        vendor: "test",
        action: "List",
    };

    fn run<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// A listing of `n` items served `size` at a time, reporting `total`.
    fn listing(n: u64, size: u64, total: Option<u64>) -> (Vec<u64>, u64) {
        let mut calls = 0;
        let (all, _) = run(all_pages(OP, size, |index, fetched| {
            calls += 1;
            assert_eq!(fetched, (index * size).min(n));
            let items: Vec<u64> = (index * size..((index + 1) * size).min(n)).collect();
            async move { Ok(PageOf { items, total }) }
        }))
        .unwrap();
        (all, calls)
    }

    #[test]
    fn every_item_once_in_order_with_or_without_a_total() {
        for (n, size) in [(0, 10), (1, 10), (10, 10), (11, 10), (95, 10), (100, 100)] {
            for total in [Some(n), None] {
                let (all, calls) = listing(n, size, total);
                assert_eq!(all, (0..n).collect::<Vec<_>>(), "{n} by {size}, {total:?}");
                // With a total, an exact multiple ends without asking for an empty page.
                let pages = n.div_ceil(size).max(1);
                let expected = if total.is_none() && n % size == 0 && n > 0 {
                    pages + 1
                } else {
                    pages
                };
                assert_eq!(calls, expected, "{n} by {size}, {total:?}");
            }
        }
    }

    #[test]
    fn an_endless_listing_is_an_error_not_a_hang() {
        let e = run(all_pages(OP, 2, |_, _| async {
            Ok(PageOf {
                items: vec![1, 2],
                total: None,
            })
        }))
        .unwrap_err();
        assert!(
            e.to_string().contains("did not end after 10000 pages"),
            "{e}"
        );
        // A total that grows as fast as the pages: the same.
        let e = run(all_pages(OP, 1, |index, _| async move {
            Ok(PageOf {
                items: vec![index],
                total: Some(index + 2),
            })
        }))
        .unwrap_err();
        assert!(matches!(e, Error::UnreadableResponse { .. }), "{e}");
    }

    #[test]
    fn a_failed_page_fails_the_listing() {
        let e = run(all_pages(OP, 2, |index, _| async move {
            if index == 1 {
                Err(Error::invalid("Offset", "boom"))
            } else {
                Ok(PageOf {
                    items: vec![1, 2],
                    total: Some(10),
                })
            }
        }))
        .unwrap_err();
        assert!(e.to_string().contains("boom"), "{e}");
    }
}
