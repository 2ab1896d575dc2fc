"""The text-classification fixture: Amazon fine-food reviews from Debian bookworm's
r-cran-modeldata 1.1.0-1 (data sets `training_data` and `testing_data`, documented there
as `small_fine_foods`; MIT per debian/copyright), written as gzipped CSV (text,label) with
the package's own train/test split, and the bag-of-words logistic-regression baseline
(scikit-learn) on that split.

The package holds R's lazy-load database (data/Rdata.rdb + .rdx): the index is an RDS
file; each object is a 4-byte big-endian length, a type byte (`Z`: raw LZMA2) and the
compressed R serialisation, which the `rdata` package (PyPI) converts to a data frame.

    apt-get download r-cran-modeldata && dpkg-deb -x r-cran-modeldata_*.deb pkg
    python3 -m venv /tmp/v && /tmp/v/bin/pip install rdata==1.1.0 scikit-learn
    /tmp/v/bin/python tools/make_text_fixtures.py pkg/usr/lib/R/site-library/modeldata/data/Rdata
"""
import csv
import gzip
import io
import json
import lzma
import pathlib
import struct
import sys

import rdata
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def read_object(base, name):
    index = rdata.conversion.convert(rdata.parser.parse_file(base + ".rdx"))
    offset, length = (int(v) for v in index["variables"][name])
    with open(base + ".rdb", "rb") as file:
        file.seek(offset)
        blob = file.read(length)
    size = struct.unpack(">I", blob[:4])[0]
    assert blob[4:5] == b"Z", "expected LZMA2 compression (type Z)"
    data = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}]).decompress(blob[5:])
    assert len(data) == size
    return rdata.conversion.convert(rdata.parser.parse_data(data))


def main():
    base = sys.argv[1]
    out = pathlib.Path(__file__).resolve().parent.parent / "Tests/Fixtures/text"
    parts = {}
    for part, name in [("train", "training_data"), ("test", "testing_data")]:
        frame = read_object(base, name)
        rows = [(str(text), str(label)) for text, label in zip(frame.review, frame.score)]
        parts[part] = rows
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows(rows)
        with gzip.GzipFile(out / f"fine_foods_{part}.csv.gz", "wb", mtime=0) as file:
            file.write(buffer.getvalue().encode("utf-8"))
    (train_x, train_y), (test_x, test_y) = (zip(*parts["train"]), zip(*parts["test"]))
    results = {}
    for name, vectorizer in [("counts", CountVectorizer()), ("tfidf", TfidfVectorizer())]:
        features = vectorizer.fit_transform(train_x)
        model = LogisticRegression(max_iter=2000).fit(features, train_y)
        results[name] = model.score(vectorizer.transform(test_x), test_y)
    results["majority"] = max(test_y.count(label) for label in set(test_y)) / len(test_y)
    (out / "baseline.json").write_text(json.dumps({"bag_of_words_logistic_regression": results,
                                                   "train": len(train_x), "test": len(test_x)}, indent=1) + "\n")
    print(results)


if __name__ == "__main__":
    main()
