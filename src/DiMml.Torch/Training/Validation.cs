using DiMml.Torch.Data;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>Accuracy on validation rows, for model selection and early stopping inside a training stage.</summary>
internal static class Validation
{
    /// <summary>A scorer for <see cref="SgdRun.Run"/>, or null without validation rows.</summary>
    /// <param name="rows">Validation rows; null for none.</param>
    /// <param name="device">Where the module lives.</param>
    /// <param name="module">Put in eval mode while scoring (the training loop sets train mode each epoch).</param>
    /// <param name="logits">Class logits of a batch.</param>
    /// <param name="cancellation">Checked before every batch.</param>
    public static Func<double>? Scorer(IBatchSource? rows, Device device, nn.Module module, Func<Tensor[], Tensor> logits,
        CancellationToken cancellation) =>
        rows is null ? null : () =>
        {
            module.eval();
            using var guard = no_grad();
            double correct = 0, total = 0;
            using var order = BatchOrder.Sequential(rows.Count);
            BatchOrder.ForEachScoped(rows.Batches(order, 1024, device), batch =>
            {
                cancellation.ThrowIfCancellationRequested();
                correct += Accuracy.Hits(logits(batch.Inputs), batch);
                total += Accuracy.Weight(batch);
            });
            return correct / Math.Max(1, total);
        };
}
