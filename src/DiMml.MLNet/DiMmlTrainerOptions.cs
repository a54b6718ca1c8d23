using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml;

public sealed partial class DiMmlTrainer
{
    /// <summary>
    /// Settings of <see cref="DiMmlTrainer"/>: the core's <see cref="DiMmlOptions"/> (training, DUC, the shared head, the
    /// fusion head and the certainty weighting; defaults from <see cref="TrainerDefaults"/>, the paper's) plus the label
    /// column and the validation rows. Modalities are <see cref="ModalityOptions"/>. Examples and tests set smaller
    /// budgets explicitly.
    /// </summary>
    public sealed class Options : DiMmlOptions, IMultimodalTrainerOptions
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

        /// <summary>Optional labelled rows, transformed like the training data, on which every fusion candidate of the held-out
        /// choice is scored as this model would score with it (<see cref="DiMmlDiagnostics.FusionCandidateEvaluationAccuracy"/>):
        /// to see whether the choice was right, as <c>dimml compare</c> does with its test rows. Never trained or chosen on.
        /// Default null.</summary>
        public IDataView? FusionEvaluationSet { get; set; }

        /// <inheritdoc />
        public string ScoreColumnName { get; set; } = DiMmlColumns.Score;

        /// <inheritdoc />
        public string PredictedLabelColumnName { get; set; } = DiMmlColumns.PredictedLabel;

        /// <inheritdoc />
        public string BranchWeightsColumnName { get; set; } = DiMmlColumns.BranchWeights;

        /// <inheritdoc />
        public string ModalityScoreColumnPrefix { get; set; } = DiMmlColumns.ModalityScorePrefix;
    }
}
