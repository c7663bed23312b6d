# Reference ROC-AUC values for src/metrics/roc-auc.test.ts, computed with scikit-learn
# (throwaway venv: python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn).
#   /tmp/skl/bin/python packages/vision/scripts/reference-auc.py
import json
import sklearn
from sklearn.metrics import roc_auc_score

cases = {
    "no ties": ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]),
    "ties across classes": ([0, 1, 0, 1, 1, 0, 0, 1], [0.5, 0.5, 0.2, 0.9, 0.2, 0.7, 0.5, 0.5]),
    "all scores equal": ([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3]),
    "imbalanced with ties": ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1], [0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 0.6, 0.9, 0.3]),
    "inverted": ([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]),
}
print("sklearn", sklearn.__version__)
print(json.dumps({k: roc_auc_score(y, s) for k, (y, s) in cases.items()}, indent=1))
