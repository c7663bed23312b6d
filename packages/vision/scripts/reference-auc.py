# Reference ROC-AUC values for src/metrics/roc-auc.test.ts, computed with scikit-learn.
# Run it with any Python that has scikit-learn, from the repository root, for example the
# project's environment (scripts/setup.sh makes .venv):
#   .venv/bin/python -m pip install scikit-learn
#   .venv/bin/python packages/vision/scripts/reference-auc.py
import json
import sys

try:
    import sklearn
    from sklearn.metrics import roc_auc_score
except ImportError:
    sys.exit(f"scikit-learn is not installed for {sys.executable}: run `{sys.executable} -m pip install scikit-learn`, then this script again.")

cases = {
    "no ties": ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]),
    "ties across classes": ([0, 1, 0, 1, 1, 0, 0, 1], [0.5, 0.5, 0.2, 0.9, 0.2, 0.7, 0.5, 0.5]),
    "all scores equal": ([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3]),
    "imbalanced with ties": ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1], [0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 0.6, 0.9, 0.3]),
    "inverted": ([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]),
}
print("sklearn", sklearn.__version__)
print(json.dumps({k: roc_auc_score(y, s) for k, (y, s) in cases.items()}, indent=1))
