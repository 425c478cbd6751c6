"""Regenerate the corpus and the shipped language model from the seed, reproducibly.

    python scripts/train_lm.py            # writes assets/lm/next_token.npz
    python scripts/train_lm.py --out /tmp/lm.npz

It writes the cat/dog/rabbit corpus (:mod:`core.corpus`, seeded), splits it into training and held-out
sentences, trains the MLP of :mod:`core.lm` on the training part, fits the unigram and bigram baselines
on the same part (the bigram's add-k chosen on a tenth of the training data), and prints the held-out
perplexity of all three and the training time (about 30 s on the project's 2-core machine). The same
seed gives the same file, bit for bit, on one machine with the same BLAS thread count (the file holds no
timestamps; the time is printed, not stored).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import corpus  # noqa: E402
from core.lm import AddKModel, NeuralLM, TrainConfig, choose_k, examples, held_out_perplexity, train  # noqa: E402

N_SENTENCES = 6000
HELD_OUT = 0.1
UNIGRAM_K = 1.0
BIGRAM_K_GRID = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
DEFAULT_OUT = ROOT / "assets" / "lm" / "next_token.npz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    config = TrainConfig(seed=args.seed)

    sentences = corpus.generate(N_SENTENCES, seed=config.seed)
    train_s, test_s = corpus.split(sentences, held_out=HELD_OUT, seed=config.seed)
    vocabulary = corpus.build_vocabulary(train_s)
    V = len(vocabulary)
    X, y = examples(train_s, vocabulary, config.context)
    Xt, yt = examples(test_s, vocabulary, config.context)
    print(
        f"corpus: {len(train_s)} training / {len(test_s)} held-out sentences, "
        f"{len(y)} / {len(yt)} tokens, vocabulary {V}"
    )

    start = time.perf_counter()
    params, history = train(X, y, V, config)
    seconds = time.perf_counter() - start
    print("training loss by epoch: " + " ".join(f"{h:.3f}" for h in history))

    unigram = AddKModel.fit(X, y, V, order=1, k=UNIGRAM_K)
    bigram_k = choose_k(X, y, V, order=2, grid=BIGRAM_K_GRID)
    bigram = AddKModel.fit(X, y, V, order=2, k=bigram_k)
    model = NeuralLM(vocabulary=vocabulary, params=params, config=config)
    metrics = {
        "mlp_perplexity": held_out_perplexity(model, Xt, yt),
        "unigram_perplexity": held_out_perplexity(unigram, Xt, yt),
        "bigram_perplexity": held_out_perplexity(bigram, Xt, yt),
        "unigram_k": UNIGRAM_K,
        "bigram_k": bigram_k,
        "n_sentences": float(N_SENTENCES),
        "held_out": HELD_OUT,
    }
    model = NeuralLM(vocabulary=vocabulary, params=params, config=config, metrics=metrics)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **model.to_arrays())  # type: ignore[arg-type]

    print(
        f"held-out perplexity: MLP {metrics['mlp_perplexity']:.2f}, "
        f"bigram (add-{bigram_k:g}) {metrics['bigram_perplexity']:.2f}, "
        f"unigram (add-{UNIGRAM_K:g}) {metrics['unigram_perplexity']:.2f}"
    )
    print(f"training time: {seconds:.1f} s")
    size = args.out.stat().st_size
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()[:16]
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, sha256 {digest}...)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
