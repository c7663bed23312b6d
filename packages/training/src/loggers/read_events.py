# Reads a TensorBoard log directory with TensorBoard's own reader and prints what it found as
# JSON: the scalars (tag -> [[step, value]...]), the hparams plugin data, and TensorBoard's
# masked CRC32C of argv[2] for a cross-check. Called by loggers.test.ts.
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.summary.writer.record_writer import masked_crc32c

accumulator = EventAccumulator(sys.argv[1])
accumulator.Reload()
scalars = {tag: [[e.step, e.value] for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}
hparams = {}
for tag, content in accumulator.PluginTagToContent("hparams").items():
    data = plugin_data_pb2.HParamsPluginData.FromString(content)
    kind = data.WhichOneof("data")
    if kind == "session_start_info":
        hparams[tag] = {k: str(v).strip() for k, v in data.session_start_info.hparams.items()}
    elif kind == "experiment":
        hparams[tag] = sorted(info.name for info in data.experiment.hparam_infos)
    else:
        hparams[tag] = data.session_end_info.status
print(json.dumps({"scalars": scalars, "hparams": hparams, "crc": masked_crc32c(sys.argv[2].encode())}))
