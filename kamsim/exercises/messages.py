"""What :func:`kamsim.exercises.check` says, in English and in Chinese.

One table of message templates (:data:`MESSAGES`); :func:`say` fills one in
the course edition's language (:func:`kamsim.labels.edition`: ``KAMSIM_LANG``,
or a notebook running in ``exercises/zh_CN``).  Exercise titles and hints in
Chinese come from ``zh_CN.yaml`` beside this module (:func:`exercise_text`);
an exercise it does not list keeps its English text.

The English templates are the course's original wording: tests and the
grader's feedback rely on them (``"✅ 00.1 correct"``, ``"not attempted yet"``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kamsim.labels import is_chinese

#: key -> (English template, Chinese template); fields in braces are filled by :func:`say`.
MESSAGES: dict[str, tuple[str, str]] = {
    # check(): the one-line verdicts
    "blank": ("⏳ {id} not attempted yet: replace ... with your answer, then run the cell again.",
              "⏳ {id} 尚未作答：把 ... 替换为你的答案，然后重新运行这个单元格。"),
    "correct": ("✅ {id} correct: {title}", "✅ {id} 正确：{title}"),
    "wrong": ("❌ {id} not quite: {reason}. Hint: {hint}", "❌ {id} 还不对：{reason}。提示：{hint}"),
    "uncomparable": ("could not compare your answer ({error})", "无法比较你的答案（{error}）"),
    # kinds of value
    "kind_frame": ("a DataFrame", "DataFrame"),
    "kind_series": ("a Series", "Series"),
    "kind_bool": ("True/False", "True/False 布尔值"),
    "kind_number": ("a number", "数字"),
    "kind_string": ("a string", "字符串"),
    "kind_other": ("a {name}", "{name} 对象"),
    # numbers and counts
    "need_number": ("expected a single number, got {kind}{extra}", "应为单个数字，得到的是{kind}{extra}"),
    "need_number_extra": (" (use .sum(), len(...) or .iloc[0] to get a single number)",
                          "（可用 .sum()、len(...) 或 .iloc[0] 得到单个数字）"),
    "nan": ("your answer is NaN (missing values in the calculation?)", "你的答案是 NaN（计算中有缺失值？）"),
    "too_coarse": ("{value} is right to the {places} decimal(s) you gave but too coarse: give more decimals "
                   "(four significant figures)",
                   "{value} 在你给出的 {places} 位小数内是对的，但精度不够：请多给几位小数（四位有效数字）"),
    "percentage": ("{value} looks like a percentage; give the share as a number between 0 and 1",
                   "{value} 看起来是百分数；请把比例写成 0 到 1 之间的数"),
    "too_high": ("{value} is too high", "{value} 偏高"),
    "too_low": ("{value} is too low", "{value} 偏低"),
    "need_whole": ("expected a whole number, got {kind}{extra}", "应为整数，得到的是{kind}{extra}"),
    "need_whole_extra": (" (len(...) or .sum() gives a count)", "（len(...) 或 .sum() 可以得到计数）"),
    # strings, labels, id collections
    "need_string": ("expected a string, got {kind}", "应为字符串，得到的是{kind}"),
    "not_the_answer": ("{answer} is not the answer", "{answer} 不是正确答案"),
    "need_ids": ("expected a list or set of {noun}s, got {kind}", "应为由 {noun} 组成的列表或集合，得到的是{kind}"),
    "ids_missing_one": ("1 {noun} is missing", "缺少 1 个 {noun}"),
    "ids_missing": ("{count} {noun}s are missing", "缺少 {count} 个 {noun}"),
    "ids_extra_one": ("1 {noun} should not be there", "多出 1 个不应出现的 {noun}"),
    "ids_extra": ("{count} {noun}s should not be there", "多出 {count} 个不应出现的 {noun}"),
    "ids_repeated": ("some {noun}s appear more than once", "有些 {noun} 出现了不止一次"),
    "separator": ("; ", "；"),
    # Series and DataFrames
    "need_series": ("expected a Series, got {kind}", "应为 Series，得到的是{kind}"),
    "index_differs": ("index labels differ: {missing} missing, {extra} unexpected (first missing: {first})",
                      "索引标签不一致：缺少 {missing} 个，多出 {extra} 个（缺少的前几个：{first}）"),
    "row_order": ("the order of the rows is not the expected one (check the sort)", "行的顺序不对（检查排序）"),
    "not_numbers": ("the values are not numbers", "这些值不是数字"),
    "values_differ": ("{count} value(s) differ, first at {first}", "有 {count} 个值不一致，第一个在 {first}"),
    "need_frame": ("expected a DataFrame, got {kind}", "应为 DataFrame，得到的是{kind}"),
    "columns_missing": ("column(s) missing: {columns}", "缺少列：{columns}"),
    "row_count": ("{rows} rows, expected {expected}", "共 {rows} 行，应为 {expected} 行"),
    "index_not_expected": ("the index is not the expected one", "索引不对"),
    "column_reason": ("column {column}: {reason}", "列 {column}：{reason}"),
}


def say(key: str, /, **fields: object) -> str:
    """Message ``key`` of :data:`MESSAGES` in the edition's language, with ``fields`` filled in."""
    english, chinese = MESSAGES[key]
    return (chinese if is_chinese() else english).format(**fields)


@lru_cache(maxsize=1)
def _zh_catalog() -> dict[str, dict[str, object]]:
    """``zh_CN.yaml``: exercise id -> {title, hint, mistakes: {English hint: Chinese hint}}."""
    import yaml

    path = Path(__file__).with_name("zh_CN.yaml")
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key): value or {} for key, value in (data.get("exercises") or {}).items()}


def exercise_text(exercise_id: str, field: str, english: str) -> str:
    """An exercise's ``title`` or ``hint`` in the edition's language (English when untranslated)."""
    if not is_chinese():
        return english
    text = _zh_catalog().get(exercise_id, {}).get(field)
    return str(text) if text else english


def mistake_hint(exercise_id: str, english: str) -> str:
    """A targeted hint (a key of the exercise's ``mistakes``) in the edition's language."""
    if not is_chinese():
        return english
    mistakes = _zh_catalog().get(exercise_id, {}).get("mistakes") or {}
    return str(mistakes.get(english) or english)
