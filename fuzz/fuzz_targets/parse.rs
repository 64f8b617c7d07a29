//! Parses arbitrary UTF-8 as a filter, a PATCH path and an attribute path,
//! strictly and leniently. Nothing may panic; errors must point inside the
//! input; whatever parses must print to text that parses back, strictly, to
//! the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scimkit_filter::{ParseOptions, parse_attr_path, parse_filter, parse_patch_path};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    // Printing may lengthen the text a little (`not(` becomes `not (`), so
    // the reparse gets room to spare.
    let reparse = ParseOptions::strict().with_max_len(usize::MAX);
    for opts in [ParseOptions::strict(), ParseOptions::lenient()] {
        match parse_filter(input, &opts) {
            Ok(f) => {
                let text = f.to_string();
                let back = parse_filter(&text, &reparse)
                    .unwrap_or_else(|e| panic!("{input:?} printed as {text:?}: {e}"));
                assert_eq!(back, f, "{input:?} printed as {text:?}");
            }
            Err(e) => {
                assert!(e.offset() <= input.len());
                let _ = e.render(input);
            }
        }
        match parse_patch_path(input, &opts) {
            Ok(p) => {
                let text = p.to_string();
                let back = parse_patch_path(&text, &reparse)
                    .unwrap_or_else(|e| panic!("{input:?} printed as {text:?}: {e}"));
                assert_eq!(back, p, "{input:?} printed as {text:?}");
            }
            Err(e) => {
                assert!(e.offset() <= input.len());
                let _ = e.render(input);
            }
        }
        match parse_attr_path(input, &opts) {
            Ok(p) => {
                let text = p.to_string();
                let back = parse_attr_path(&text, &reparse)
                    .unwrap_or_else(|e| panic!("{input:?} printed as {text:?}: {e}"));
                assert_eq!(back, p, "{input:?} printed as {text:?}");
            }
            Err(e) => {
                assert!(e.offset() <= input.len());
                let _ = e.render(input);
            }
        }
    }
});
