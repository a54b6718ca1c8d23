using System.Diagnostics;
using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml;

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
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => fitting.OutputSchema(inputSchema, new Training(options, fitting));

    /// <summary>Trains both stages on <paramref name="input"/> and returns the ONNX-backed model.</summary>
    /// <param name="input">Training data with the label and modality columns.</param>
    public DiMmlTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        fitting.CheckLikeTraining(input.Schema, options.FusionEvaluationSet, nameof(Options.FusionEvaluationSet));
        var (fitted, diagnostics) = fitting.Fit(input, new Training(options, fitting));
        return new DiMmlTransformer(fitted, diagnostics);
    }

    private sealed class Training(Options options, ModelFitting<Options> fitting) : IModelTraining<Options, DiMmlDiagnostics>
    {
        public MultimodalModel Untrained(IReadOnlyList<string> modalityNames, int classes) => ModelDescriptions.Untrained(
            modalityNames, classes, options.FusionHead,
            options.Inference == InferenceFusion.FusionHeadOnly ? ModelKind.FusionHeadOnly : ModelKind.DiMml,
                new CertaintyWeighting(options.CertaintyTemperature));

        public MultimodalModel Train(IBatchSource train, IBatchSource? validation, Options run) =>
            new DiMmlLearner(run).Fit(train, validation);

        public DiMmlDiagnostics Describe(MultimodalModel model, FitFacts facts, IBatchSource train, IBatchSource? validation)
        {
            var watch = Stopwatch.StartNew();
            var candidates = CandidateAccuracy(model, train, facts);
            return new(model.History, facts, model.ModalityNames,
                model.Dimensions?.SetSizes(model.ModalityNames) ?? new Dictionary<string, int>(), options.ResolvedDucStartEpoch,
                ModelDescriptions.Fusion(model), model.Selection)
            {
                FusionFeatures = options.FusionTrainsOnAugmentedBatches ? FusionFeatures.AugmentedBatches : FusionFeatures.EncodedOnce,
                FusionCandidateEvaluationAccuracy = candidates,
                FusionEvaluationTime = watch.Elapsed,
            };
        }

        // Every candidate of the choice on the evaluation rows, as this model scores with it; empty without either.
        private IReadOnlyDictionary<string, double> CandidateAccuracy(MultimodalModel model, IBatchSource train, FitFacts facts)
        {
            if (model.Selection is not { } selection || options.FusionEvaluationSet is null)
            {
                return new Dictionary<string, double>();
            }

            using var evaluation = fitting.ReadEvaluationSet(options.FusionEvaluationSet, nameof(Options.FusionEvaluationSet), train,
                facts.Cancellation)!;
            var accuracy = model.FusedAccuracy(evaluation, selection.Candidates.Select(c => c.Weighting).ToArray(), facts.Cancellation);
            return selection.Candidates.Select((c, i) => (c.Name, accuracy[i])).ToDictionary(p => p.Name, p => p.Item2);
        }
    }
}
