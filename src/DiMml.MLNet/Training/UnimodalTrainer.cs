using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml;

/// <summary>
/// Unimodal baseline: one modality's encoder and head trained alone with CE, with the same encoders, data path and
/// output columns as <see cref="DiMmlTrainer"/> (<c>Score</c>, <c>PredictedLabel</c>, <c>Score.{modality}</c>, <c>BranchWeights</c>).
/// </summary>
public sealed class UnimodalTrainer : IEstimator<MultimodalBaselineTransformer>
{
    private readonly Options options;
    private readonly ModelFitting<Options> fitting;

    /// <summary>Settings of the unimodal baseline: the core's <see cref="TrainerOptions"/> with exactly one modality, plus
    /// the label column and the validation rows.</summary>
    public sealed class Options : TrainerOptions, IMultimodalTrainerOptions
    {
        /// <summary>Creates the options with the defaults of <see cref="TrainerDefaults"/>, except <see cref="TrainerOptions.Seed"/>:
        /// null, so each Fit draws its seed from the MLContext's random source (set it for reproducible runs).</summary>
        public Options() => Seed = null;

        /// <inheritdoc />
        public string LabelColumnName { get; set; } = TrainerDefaults.LabelColumnName;

        /// <inheritdoc />
        public IDataView? ValidationSet { get; set; }

        /// <inheritdoc />
        public string? ExampleWeightColumnName { get; set; }

        /// <inheritdoc />
        public string ScoreColumnName { get; set; } = DiMmlColumns.Score;

        /// <inheritdoc />
        public string PredictedLabelColumnName { get; set; } = DiMmlColumns.PredictedLabel;

        /// <inheritdoc />
        public string BranchWeightsColumnName { get; set; } = DiMmlColumns.BranchWeights;

        /// <inheritdoc />
        public string ModalityScoreColumnPrefix { get; set; } = DiMmlColumns.ModalityScorePrefix;
    }

    /// <summary>Creates the trainer; <c>mlContext.MulticlassClassification.Trainers.Unimodal(options)</c> is the usual way.</summary>
    /// <param name="mlContext">The context whose log, random source and temp folder the trainer uses.</param>
    /// <param name="options">Training settings; validated here.</param>
    public UnimodalTrainer(MLContext mlContext, Options options)
        : this(MLNetEnvironment.Of(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal UnimodalTrainer(MLNetEnvironment env, Options options)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        OptionsCheck.Validate(options, minModalities: 1, maxModalities: 1, "the unimodal baseline");
        fitting = new ModelFitting<Options>(env, options, nameof(UnimodalTrainer));
    }

    /// <summary>Output schema without training: Score, Score.{modality}, BranchWeights and PredictedLabel.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => fitting.OutputSchema(inputSchema, new Training());

    /// <summary>Trains the modality's encoder and head.</summary>
    /// <param name="input">Training data with the label and the modality column.</param>
    public MultimodalBaselineTransformer Fit(IDataView input)
    {
        var (fitted, diagnostics) = fitting.Fit(input, new Training());
        return new MultimodalBaselineTransformer(fitted, diagnostics);
    }

    private sealed class Training : IModelTraining<Options, BaselineDiagnostics>
    {
        public MultimodalModel Untrained(IReadOnlyList<string> modalityNames, int classes) =>
            ModelDescriptions.Untrained(modalityNames, classes, FusionHeadKind.None, ModelKind.Unimodal, new CertaintyWeighting());

        public MultimodalModel Train(IBatchSource train, IBatchSource? validation, Options run) =>
            new UnimodalLearner(run).Fit(train, validation);

        public BaselineDiagnostics Describe(MultimodalModel model, FitFacts facts, IBatchSource train, IBatchSource? validation) =>
            new(model.History, facts, new Dictionary<string, double>());
    }
}
