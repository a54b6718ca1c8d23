using DiMml.Torch.Training;

namespace DiMml.Cli;

/// <summary>One method's test results in a comparison.</summary>
/// <param name="Method">Method name.</param>
/// <param name="Accuracy">Test accuracy (micro).</param>
/// <param name="MacroF1">Mean over classes of the per-class F1.</param>
/// <param name="ModalityAccuracy">Per modality: the accuracy of that modality's own head on the test rows (joint: a linear probe on the frozen encoder).</param>
/// <param name="TrainSeconds">Wall time of fitting.</param>
/// <param name="History">Per-epoch records (empty for LightGBM).</param>
internal sealed record MethodResult(
    string Method, double Accuracy, double MacroF1, IReadOnlyDictionary<string, double> ModalityAccuracy, double TrainSeconds, IReadOnlyList<EpochRecord> History);
