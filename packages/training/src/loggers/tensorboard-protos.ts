import protobuf from 'protobufjs';

/**
 * The subset of TensorBoard's protos we write, with TensorBoard's own field numbers
 * (tensorboard/compat/proto/event.proto, summary.proto; plugins/hparams/api.proto,
 * plugin_data.proto). Declared as JSON for protobufjs so no .proto file ships with the package.
 */
const schema = {
  nested: {
    tensorboard: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['fileVersion', 'summary'] } },
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ['simpleValue'] } },
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
                metadata: { type: 'SummaryMetadata', id: 9 },
              },
            },
          },
        },
        SummaryMetadata: {
          fields: {
            pluginData: { type: 'PluginData', id: 1 },
            displayName: { type: 'string', id: 2 },
            summaryDescription: { type: 'string', id: 3 },
          },
          nested: {
            PluginData: { fields: { pluginName: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } },
          },
        },
        hparams: {
          nested: {
            HParamsPluginData: {
              oneofs: { data: { oneof: ['experiment', 'sessionStartInfo', 'sessionEndInfo'] } },
              fields: {
                version: { type: 'int32', id: 1 },
                experiment: { type: 'Experiment', id: 2 },
                sessionStartInfo: { type: 'SessionStartInfo', id: 3 },
                sessionEndInfo: { type: 'SessionEndInfo', id: 4 },
              },
            },
            Experiment: {
              fields: {
                description: { type: 'string', id: 1 },
                timeCreatedSecs: { type: 'double', id: 3 },
                hparamInfos: { rule: 'repeated', type: 'HParamInfo', id: 4 },
                metricInfos: { rule: 'repeated', type: 'MetricInfo', id: 5 },
                name: { type: 'string', id: 6 },
              },
            },
            HParamInfo: {
              fields: { name: { type: 'string', id: 1 }, type: { type: 'DataType', id: 4 } },
            },
            DataType: { values: { DATA_TYPE_UNSET: 0, DATA_TYPE_STRING: 1, DATA_TYPE_BOOL: 2, DATA_TYPE_FLOAT64: 3 } },
            MetricInfo: { fields: { name: { type: 'MetricName', id: 1 } } },
            MetricName: { fields: { group: { type: 'string', id: 1 }, tag: { type: 'string', id: 2 } } },
            SessionStartInfo: {
              fields: {
                hparams: { keyType: 'string', type: 'google.protobuf.Value', id: 1 },
                groupName: { type: 'string', id: 4 },
                startTimeSecs: { type: 'double', id: 5 },
              },
            },
            SessionEndInfo: { fields: { status: { type: 'Status', id: 1 }, endTimeSecs: { type: 'double', id: 2 } } },
            Status: { values: { STATUS_UNKNOWN: 0, STATUS_SUCCESS: 1, STATUS_FAILURE: 2, STATUS_RUNNING: 3 } },
          },
        },
      },
    },
  },
};

let types: { event: protobuf.Type; hparams: protobuf.Type } | undefined;

/** Built on first use, so importing the package costs nothing. */
function load(): { event: protobuf.Type; hparams: protobuf.Type } {
  if (!types) {
    const root = new protobuf.Root();
    // google.protobuf.Value and friends, from protobufjs's bundled well-known types.
    root.addJSON((protobuf.common.get('google/protobuf/struct.proto') as { nested: Record<string, protobuf.AnyNestedObject> }).nested);
    root.addJSON(schema.nested as Record<string, protobuf.AnyNestedObject>);
    root.resolveAll();
    types = { event: root.lookupType('tensorboard.Event'), hparams: root.lookupType('tensorboard.hparams.HParamsPluginData') };
  }
  return types;
}

/** Encodes a tensorboard.Event given in protobufjs's camelCase object form. */
export function encodeEvent(event: Record<string, unknown>): Uint8Array {
  const type = load().event;
  return type.encode(type.fromObject(event)).finish();
}

/** Encodes a tensorboard.hparams.HParamsPluginData. */
export function encodeHParamsPluginData(data: Record<string, unknown>): Uint8Array {
  const type = load().hparams;
  return type.encode(type.fromObject(data)).finish();
}
