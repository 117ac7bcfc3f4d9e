"""The course's chapters in one list: titles, files, what each needs, and their measured run times.

Chapter 00's map and the README's chapter table are both checked against this list, so they cannot
drift apart. A chapter is *ready* when its notebook exists in notebooks/; its exercise is linked when
exercises/ has one. Run times come from notebooks/run_times.json, which `python -m coursetools execute`
(make notebooks) writes as it re-executes the notebooks in a fresh kernel.
"""
import json
from dataclasses import dataclass

from . import REPO

RUN_TIMES = REPO / "notebooks" / "run_times.json"


@dataclass(frozen=True)
class Chapter:
    number: int
    slug: str            # notebooks/NN_slug.ipynb
    title: str
    summary: str         # one line: what the chapter builds
    needs: tuple = ()    # chapters to read first

    @property
    def stem(self):
        return f"{self.number:02d}_{self.slug}"

    @property
    def notebook(self):
        return REPO / "notebooks" / f"{self.stem}.ipynb"

    @property
    def exercise(self):
        return REPO / "exercises" / f"{self.stem}.ipynb"

    @property
    def ready(self):
        return self.notebook.exists()


CHAPTERS = [
    Chapter(0, "start_here", "Start here", "environment check, device selection, the map, how to grade"),
    Chapter(1, "neuron", "The neuron and forward propagation",
            "neurons, layers, activations; linear regression as a one-layer net; gradient descent vs least squares", (0,)),
    Chapter(2, "backprop", "Backpropagation by hand",
            "deltas layer by layer for a two-layer net, checked against finite differences and torch.autograd", (1,)),
    Chapter(3, "autograd", "Autograd from scratch",
            "the nnlib Tensor: graph, topological order, broadcasting, accumulation, forward vs reverse mode", (2,)),
    Chapter(4, "mlp_classifier", "Training an MLP classifier",
            "stable softmax cross-entropy, preprocessing and splits, mini-batches, metrics equal to scikit-learn's", (3,)),
    Chapter(5, "optimisers", "Optimisers", "SGD, momentum, Nesterov, RMSprop, Adam, AdamW, schedules; equal to torch.optim", (4,)),
    Chapter(6, "regularisation", "Regularisation and generalisation",
            "under- and overfitting, L2/L1, dropout, early stopping, augmentation, ridge, lasso, PCA", (4, 5)),
    Chapter(7, "cnn", "Convolutional networks", "im2col convolution, pooling, a CNN on digits, parameters and FLOPs", (4,)),
    Chapter(8, "rnn", "Recurrent networks", "backprop through time, clipping, LSTM and GRU, a character model", (4,)),
    Chapter(9, "transformer", "Attention and the Transformer", "attention, masking, multi-head, a tiny decoder-only model", (8,)),
    Chapter(10, "cost", "Counting the cost", "parameters, FLOPs and memory, measured against predictions", (7, 8, 9)),
    Chapter(11, "scaling_laws", "Scaling laws", "loss vs parameters, data and compute; fitting power laws", (10,)),
    Chapter(12, "compression", "Model compression", "pruning, int8 quantisation, distillation, low rank", (10,)),
    Chapter(13, "precision", "Hardware and precision", "vectorisation, bandwidth vs compute, fp16/bf16, loss scaling", (10,)),
    Chapter(14, "distributed", "Distributed training", "data parallelism, ring all-reduce, DDP on CPU processes", (10,)),
    Chapter(15, "transfer", "Transfer learning and model reuse", "pretrain, freeze, fine-tune with little data", (6, 7)),
    Chapter(16, "applications", "Applications", "vision, language and recommendation end to end, with their cost", (10, 15)),
]


def run_times():
    """{notebook stem: seconds} as last measured by `python -m coursetools execute`."""
    return json.loads(RUN_TIMES.read_text()) if RUN_TIMES.exists() else {}


def record_run_time(stem, seconds):
    times = run_times()
    times[stem] = round(seconds, 1)
    RUN_TIMES.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")


def course_map_markdown(link_prefix="../"):
    """The map as a Markdown table: number, chapter (linked when ready), status, run time, what to read first."""
    times = run_times()
    rows = ["| # | chapter | status | run time | read first | exercise |", "|---|---|---|---|---|---|"]
    for ch in CHAPTERS:
        title = f"[{ch.title}]({link_prefix}notebooks/{ch.stem}.ipynb)" if ch.ready else ch.title
        status = "ready" if ch.ready else "coming"
        seconds = f"{times[ch.stem]:.0f} s" if ch.ready and ch.stem in times else ""
        needs = ", ".join(f"{n:02d}" for n in ch.needs)
        exercise = f"[exercise]({link_prefix}exercises/{ch.stem}.ipynb)" if ch.exercise.exists() else ""
        rows.append(f"| {ch.number:02d} | {title}: {ch.summary} | {status} | {seconds} | {needs} | {exercise} |")
    return "\n".join(rows)


README_START, README_END = "<!-- chapter table: made by coursetools.chapters -->", "<!-- end of chapter table -->"


def readme_with_table(text):
    """The README's text with its chapter table (between the two marker comments) made anew from this list."""
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    return text[:start] + "\n" + course_map_markdown(link_prefix="") + "\n" + text[end:]


def update_readme():
    readme = REPO / "README.md"
    readme.write_text(readme_with_table(readme.read_text()))
