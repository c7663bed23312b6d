/** One epoch's numbers, as the seed's `Epoch N | AUC: ...` line shows them. */
export interface EpochRow {
  readonly train_loss: number;
  readonly val_loss: number;
  readonly val_auc: number;
  readonly val_acc: number;
}

/** The seed's line for epoch `epoch`, which took `seconds`: `Epoch 0 | AUC: 0.8712 | val_loss: ...`. */
export function formatEpochLine(epoch: number, row: EpochRow, seconds: number): string {
  return `Epoch ${epoch} | AUC: ${row.val_auc.toFixed(4)} | val_loss: ${row.val_loss.toFixed(4)} | train_loss: ${row.train_loss.toFixed(4)} | val_acc: ${row.val_acc.toFixed(3)} | ${seconds.toFixed(1)}s`;
}
