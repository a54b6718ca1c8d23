namespace DiMml.Torch.Inference;

/// <summary>Accuracy of a model on labelled rows.</summary>
/// <param name="Accuracy">Share of rows whose fused prediction equals the label.</param>
/// <param name="BranchAccuracy">Per branch (modality name, or <c>fusion</c>), the accuracy of that branch alone.</param>
/// <param name="Rows">Number of rows evaluated.</param>
public sealed record EvaluationReport(double Accuracy, IReadOnlyDictionary<string, double> BranchAccuracy, int Rows);
