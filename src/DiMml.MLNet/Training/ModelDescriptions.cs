using System.Globalization;
using DiMml.Torch.Calibration;
using DiMml.Torch.Inference;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using TorchSharp;

namespace DiMml;

/// <summary>Models that the trainers describe or stand in with: the fusion a model scores with, in words, and the
/// untrained stand-ins that give output schemas.</summary>
internal static class ModelDescriptions
{
    /// <summary>How <paramref name="model"/> fuses its branches, for the log and the diagnostics.</summary>
    public static string Fusion(MultimodalModel model) => model switch
    {
        { Kind: ModelKind.FusionHeadOnly } => "the fusion head alone",
        { Selection: { } s } => $"{s.Chosen.Name} (held-out accuracy {s.Chosen.HeldOutAccuracy:P2} on {s.HeldOutRows} rows; " +
            string.Join(", ", s.Candidates.Select(c => $"{c.Name} {c.HeldOutAccuracy:P2}")) + "; branch temperatures " +
            string.Join(", ",
                model.BranchNames.Select((b, k) => $"{b} {s.BranchTemperatures[k].ToString("F2", CultureInfo.InvariantCulture)}")) +
            (s.HeadSource == FusionHeadSource.None ? "" : $"; fusion head fitted on the " +
                $"{(s.HeadSource == FusionHeadSource.HeldOutRows ? "held-out" : "training")} rows") +
            (s.Comparisons.Count == 0 ? "" : $"; eligible when the paired gain exceeds {FusionRule.Default.Z} standard errors " +
                $"(a single branch {FusionRule.Default.ZSingleBranch}): " + string.Join(", ",
                s.Comparisons.Select(c => $"{c.Candidate} vs {c.Incumbent} {c.Gain * 100:+0.0;-0.0} ± {c.StandardError * 100:F1} pt" +
                    (c.Replaced ? " (eligible)" : "")))) +
            (s.RefittedOnAllRows ? "; then stage 1 refitted on all rows)" : ")"),
        _ => $"certainty-weighted logits (T = {model.Weighting.Temperature.ToString(CultureInfo.InvariantCulture)}) over " +
            $"{string.Join(", ", model.BranchNames)}",
    };

    /// <summary>A model of the right kind and outputs with tiny untrained MLP encoders, for output schemas.</summary>
    public static MultimodalModel Untrained(IReadOnlyList<string> names, int classes, FusionHeadKind fusion, ModelKind kind,
        CertaintyWeighting weighting)
    {
        var encoders = names.Select(_ => (ModalityEncoder)new MlpEncoder(1, [], 1)).ToArray();
        var network = new MultimodalNetwork(encoders, classes, fusion, seed: 0);
        return new MultimodalModel(network, kind, names, new TrainingHistory(), null, weighting, torch.CPU);
    }
}
