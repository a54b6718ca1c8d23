using System.Globalization;
using DiMml.Torch.Calibration;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml.MLNet;

/// <summary>
/// Trains DI-MML on two or more modality columns: one encoder per modality with its own loss, a shared head and
/// the DUC loss for cross-modal transfer (stage 1), a fusion head on the frozen encoders (stage 2), and
/// certainty-aware logit weighting at inference. Training runs in TorchSharp; the fitted
/// <see cref="DiMmlTransformer"/> scores through ONNX with ML.NET's built-in transformers.
/// </summary>
public sealed partial class DiMmlTrainer : IEstimator<DiMmlTransformer>
{
    private readonly Options options;
    private readonly ModelFitting<Options> fitting;

    /// <summary>Creates the trainer; <c>mlContext.MulticlassClassification.Trainers.DiMml(options)</c> is the usual way.</summary>
    /// <param name="mlContext">The context whose log, random source and temp folder the trainer uses.</param>
    /// <param name="options">Training settings; validated here.</param>
    public DiMmlTrainer(MLContext mlContext, Options options)
        : this(MLNetEnvironment.Of(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal DiMmlTrainer(MLNetEnvironment env, Options options)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        OptionsCheck.Validate(options, minModalities: 2, maxModalities: int.MaxValue, "DI-MML");
        fitting = new ModelFitting<Options>(env, options, nameof(DiMmlTrainer));
    }

    /// <summary>Output schema without training: validates the label and every modality column, then adds
    /// Score, Score.{modality}, BranchWeights and the key-typed PredictedLabel.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        fitting.OutputSchema(inputSchema, classes => OptionsCheck.UntrainedModel(
            fitting.Names, classes, options.FusionHead,
            options.Inference == InferenceFusion.FusionHeadOnly ? ModelKind.FusionHead : ModelKind.DiMml, new CertaintyWeighting(options.CertaintyTemperature)));

    /// <summary>Trains both stages on <paramref name="input"/> and returns the ONNX-backed model.</summary>
    /// <param name="input">Training data with the label and modality columns.</param>
    public DiMmlTransformer Fit(IDataView input)
    {
        var (fitted, diagnostics) = fitting.Fit(
            input,
            (data, validation, run) => new DiMmlLearner(run).Fit(data, validation),
            (model, facts, _, _) => new DiMmlDiagnostics(
                model.History, facts, fitting.Names, model.Dimensions?.SetSizes(fitting.Names) ?? new Dictionary<string, int>(),
                options.ResolvedDucStartEpoch, FusionDescription(model), model.Selection)
            {
                FusionFeatures = options.FusionTrainsOnAugmentedBatches ? FusionFeatures.AugmentedBatches : FusionFeatures.EncodedOnce,
            });
        return new DiMmlTransformer(fitted, diagnostics);
    }

    internal static string FusionDescription(MultimodalModel model) => model switch
    {
        { Kind: ModelKind.FusionHead } => "the fusion head alone",
        { Selection: { } s } => $"{s.Chosen.Name} (held-out accuracy {s.Chosen.HeldOutAccuracy:P2} on {s.HeldOutRows} rows; " +
            string.Join(", ", s.Candidates.Select(c => $"{c.Name} {c.HeldOutAccuracy:P2}")) + "; branch temperatures " +
            string.Join(", ", model.BranchNames.Select((b, k) => $"{b} {s.BranchTemperatures[k].ToString("F2", CultureInfo.InvariantCulture)}")) +
            (s.HeadSource == FusionHeadSource.None ? ")" : $"; fusion head fitted on the {(s.HeadSource == FusionHeadSource.HeldOutRows ? "held-out" : "training")} rows)"),
        _ => $"certainty-weighted logits (T = {model.Weighting.Temperature.ToString(CultureInfo.InvariantCulture)}) over {string.Join(", ", model.BranchNames)}",
    };
}
