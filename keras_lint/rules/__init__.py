"""The rules, one module each. ``ALL_RULES`` is the registry every front end reads."""

from __future__ import annotations

from keras_lint.rules.argmax_single_unit import ArgmaxOnSingleUnitOutput
from keras_lint.rules.backend_env_after_import import BackendEnvAfterImport
from keras_lint.rules.base import ContainerYamlRule, DockerfileRule, PythonRule, Report, Rule
from keras_lint.rules.best_checkpoint import BestCheckpointNotRestored
from keras_lint.rules.callback_monitor import CallbackMonitorUnavailable
from keras_lint.rules.compile_before_fit import CompileBeforeFit
from keras_lint.rules.docker_latest_tag import DockerLatestTag
from keras_lint.rules.early_stopping import EarlyStoppingWithoutRestore
from keras_lint.rules.eval_preprocessing import EvalPreprocessingMismatch
from keras_lint.rules.gpu_memory_growth import MissingGpuMemoryGrowth
from keras_lint.rules.jax_gpu_preallocation import JaxGpuPreallocation
from keras_lint.rules.legacy_h5_save import LegacyH5Save
from keras_lint.rules.loss_activation import LossActivationMismatch
from keras_lint.rules.model_reused_across_folds import ModelReusedAcrossFolds
from keras_lint.rules.ordered_validation_split import ValidationSplitOnOrderedData
from keras_lint.rules.preprocessing_leakage import PreprocessingFitOnFullData
from keras_lint.rules.shuffled_predict_labels import ShuffledPredictLabels
from keras_lint.rules.trainable_change import TrainableChangeNotCompiled
from keras_lint.rules.unpinned_framework_install import UnpinnedFrameworkInstall
from keras_lint.rules.unscaled_input import UnscaledInput

ALL_RULES: list[type[Rule]] = [
    CompileBeforeFit,
    TrainableChangeNotCompiled,
    LossActivationMismatch,
    ArgmaxOnSingleUnitOutput,
    MissingGpuMemoryGrowth,
    BackendEnvAfterImport,
    JaxGpuPreallocation,
    DockerLatestTag,
    UnpinnedFrameworkInstall,
    PreprocessingFitOnFullData,
    UnscaledInput,
    EvalPreprocessingMismatch,
    ValidationSplitOnOrderedData,
    EarlyStoppingWithoutRestore,
    CallbackMonitorUnavailable,
    ShuffledPredictLabels,
    ModelReusedAcrossFolds,
    BestCheckpointNotRestored,
    LegacyH5Save,
]


def rule_by_code(code: str) -> type[Rule] | None:
    for rule in ALL_RULES:
        if rule.code == code.upper():
            return rule
    return None


__all__ = [
    "ALL_RULES",
    "ContainerYamlRule",
    "DockerfileRule",
    "PythonRule",
    "Report",
    "Rule",
    "rule_by_code",
]
