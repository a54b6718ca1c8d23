using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml;

/// <summary>
/// Joint-training baseline: all modality encoders and one fusion head trained end to end with a single CE loss on
/// the fused logits, the setting in which modality competition shows. Same inputs, encoders and data path as
/// <see cref="DiMmlTrainer"/>; the diagnostics probe each frozen encoder with a linear classifier.
/// </summary>
public sealed class JointMultimodalTrainer : IEstimator<MultimodalBaselineTransformer>
{
    private readonly Options options;
    private readonly ModelFitting<Options> fitting;

    /// <summary>Settings of joint training: the core's <see cref="TrainerOptions"/> (the fusion head trained jointly with
    /// the encoders is <see cref="TrainerOptions.FusionHead"/>; None is not allowed) plus the label column, the validation
    /// rows and the probe budget.</summary>
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

        /// <summary>Epochs of each encoder's linear probe (diagnostics only). Default 20; 0 skips the probes.</summary>
        public int ProbeEpochs { get; set; } = 20;

        /// <summary>Rows the probes are scored on (e.g. a test split, so that probes and other models are compared on the
        /// same rows); never trained on. Null: the validation set if given, else the training data.</summary>
        public IDataView? ProbeEvaluationSet { get; set; }
    }

    /// <summary>Creates the trainer; <c>mlContext.MulticlassClassification.Trainers.JointMultimodal(options)</c> is the usual
    /// way.</summary>
    /// <param name="mlContext">The context whose log, random source and temp folder the trainer uses.</param>
    /// <param name="options">Training settings; validated here.</param>
    public JointMultimodalTrainer(MLContext mlContext, Options options)
        : this(MLNetEnvironment.Of(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal JointMultimodalTrainer(MLNetEnvironment env, Options options)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        OptionsCheck.Validate(options, minModalities: 2, maxModalities: int.MaxValue, "joint training");
        if (options.FusionHead == FusionHeadKind.None || options.ProbeEpochs < 0)
        {
            throw new ArgumentException(
                $"Option FusionHead is {options.FusionHead} and ProbeEpochs {options.ProbeEpochs}; joint training needs a fusion head " +
                    $"(Concat, Sum, Film or Gated) and ProbeEpochs >= 0.",
                nameof(options));
        }

        fitting = new ModelFitting<Options>(env, options, nameof(JointMultimodalTrainer));
    }

    /// <summary>Output schema without training: Score, BranchWeights (one weight, the fusion head) and PredictedLabel.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => fitting.OutputSchema(inputSchema, new Training(options, fitting));

    /// <summary>Trains the encoders and the fusion head jointly, then probes each encoder.</summary>
    /// <param name="input">Training data with the label and modality columns.</param>
    public MultimodalBaselineTransformer Fit(IDataView input)
    {
        var (fitted, diagnostics) = fitting.Fit(input, new Training(options, fitting));
        return new MultimodalBaselineTransformer(fitted, diagnostics);
    }

    private sealed class Training(Options options, ModelFitting<Options> fitting) : IModelTraining<Options, BaselineDiagnostics>
    {
        public MultimodalModel Untrained(IReadOnlyList<string> modalityNames, int classes) =>
            ModelDescriptions.Untrained(modalityNames, classes, options.FusionHead, ModelKind.Joint, new CertaintyWeighting());

        public MultimodalModel Train(IBatchSource train, IBatchSource? validation, Options run) =>
            new JointLearner(run).Fit(train, validation);

        public BaselineDiagnostics Describe(MultimodalModel model, FitFacts facts, IBatchSource train, IBatchSource? validation) =>
            new(model.History, facts, Probes(model, facts, train, validation));

        // Each frozen encoder's linear probe (diagnostics only), scored on the probe evaluation set, else the validation rows.
        private IReadOnlyDictionary<string, double> Probes(MultimodalModel model, FitFacts facts, IBatchSource train,
            IBatchSource? validation)
        {
            if (options.ProbeEpochs == 0)
            {
                return new Dictionary<string, double>();
            }

            var probe = options.ForRun(facts.Seed, null);
            probe.Epochs = options.ProbeEpochs;
            probe.CancellationToken = facts.Cancellation;
            using var evaluation = fitting.ReadEvaluationSet(options.ProbeEvaluationSet, nameof(Options.ProbeEvaluationSet), train,
                facts.Cancellation);
            return LinearProbe.Accuracy(model, train, evaluation ?? validation, probe);
        }
    }
}
