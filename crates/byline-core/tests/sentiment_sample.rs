//! The sentiment lexicon against a hand-labelled sample of workplace posts
//! (`tests/data/sentiment_sample.tsv`): prints accuracy, precision and
//! recall of "reads negative", and fails below the floor docs/LISTENING.md
//! quotes.

use byline_core::listening::sentiment::is_negative;

#[test]
fn the_lexicon_reads_the_labelled_sample_well() {
    let sample = include_str!("data/sentiment_sample.tsv");
    let (mut tp, mut fp, mut tn, mut fn_) = (0u32, 0u32, 0u32, 0u32);
    let mut wrong = Vec::new();
    for line in sample
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (label, text) = line.split_once('\t').expect("label<TAB>text");
        let truth = match label {
            "neg" => true,
            "other" => false,
            other => panic!("unknown label {other}"),
        };
        let said = is_negative(text);
        match (truth, said) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (false, false) => tn += 1,
            (true, false) => fn_ += 1,
        }
        if truth != said {
            wrong.push(format!("{label}: {text}"));
        }
    }
    let n = f64::from(tp + fp + tn + fn_);
    let accuracy = f64::from(tp + tn) / n;
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fn_).max(1));
    println!(
        "sentiment sample: {n} posts, accuracy {accuracy:.3}, precision {precision:.3}, recall {recall:.3}"
    );
    for w in &wrong {
        println!("  misread {w}");
    }
    assert!(n >= 100.0, "the sample holds at least 100 posts");
    assert!(accuracy >= 0.85, "accuracy {accuracy:.3} under 0.85");
    assert!(recall >= 0.8, "recall {recall:.3} under 0.8");
}
