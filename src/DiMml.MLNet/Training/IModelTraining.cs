using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;

namespace DiMml;

/// <summary>What a trainer gives the shared fitting path (<see cref="ModelFitting{TOptions}"/>): how to train its core
/// model, what its untrained model looks like (for output schemas) and what to report after training.</summary>
/// <typeparam name="TOptions">The trainer's options.</typeparam>
/// <typeparam name="TDiagnostics">What the trainer reports.</typeparam>
internal interface IModelTraining<TOptions, TDiagnostics>
    where TOptions : TrainerOptions, IMultimodalTrainerOptions
{
    /// <summary>A model of the right kind and outputs with tiny untrained encoders: a SchemaShape carries no sizes.</summary>
    MultimodalModel Untrained(IReadOnlyList<string> modalityNames, int classes);

    /// <summary>Trains on the training rows, with the validation rows if any, under this run's copy of the options
    /// (seed resolved, epochs reported to the log and to <see cref="TrainerOptions.EpochCompleted"/>).</summary>
    MultimodalModel Train(IBatchSource train, IBatchSource? validation, TOptions run);

    /// <summary>The diagnostics of the trained model (still alive), from the facts of the fit and the data.</summary>
    TDiagnostics Describe(MultimodalModel model, FitFacts facts, IBatchSource train, IBatchSource? validation);
}
