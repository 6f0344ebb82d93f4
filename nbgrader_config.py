"""nbgrader settings of the hocso course: only what differs from nbgrader's defaults."""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
HERE = os.path.dirname(os.path.abspath(__file__))

# The course is this folder, wherever it was cloned and whichever folder a command runs in.
c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "hocso"

# One machine, whole exchange: release, fetch, submit and collect work without root.
# Both folders are ignored by git; learners' fetched work lands in hoc_vien/<assignment>.
c.Exchange.root = os.path.join(HERE, "exchange")
c.Exchange.assignment_dir = os.path.join(HERE, "hoc_vien")

# A learner's notebook may run a little pandas and matplotlib: a minute per cell is generous;
# a cell that runs longer is stopped and scored zero instead of holding up the class.
c.Execute.timeout = 60

# nbgrader scores a test cell zero if anything was written to stderr. Library warnings
# (pandas deprecations, matplotlib font notices) would then zero a correct answer, so the
# grading kernel starts with warnings silenced. Learners still see them in JupyterLab.
c.Execute.extra_arguments = [
    "--IPKernelApp.exec_lines=['import warnings', 'warnings.simplefilter(\"ignore\")']"
]

# UTF-8 everywhere, also when the machine's locale is C: Vietnamese must never turn into mojibake.
os.environ.setdefault("PYTHONUTF8", "1")
os.environ.setdefault("PYTHONIOENCODING", "utf-8")

# nbgrader's stub is `raise NotImplementedError()`, alarming for a learner who has never
# programmed. Each answer cell instead keeps, above its solution region, a placeholder line
# with a Vietnamese instruction (`dap_an = ...  # ✍️ thay dấu ... bằng "a", "b" hoặc "c"`),
# so the region itself is simply removed.
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = "✍️ VIẾT CÂU TRẢ LỜI CỦA BẠN VÀO ĐÂY (nháy đúp để sửa ô này)."

# hocso certificates (hocso.reports.certificates.Certificates): a learner is certified after
# submitting every module their audience requires (curriculum/modules/*.yaml, released this
# term) with at least this share of those modules' points; each unit's best certified
# learners are listed for commendation (thi đua - khen thưởng).
c.Certificates.threshold = 0.7
c.Certificates.top_per_unit = 3
c.Certificates.issuer = "Khóa học hocso · Bình dân học vụ số"
c.Certificates.place = "Hà Giang"

# hocso grade (hocso.grading): nbgrader's autograde steps, with each submission run in a
# fork of one pre-warmed interpreter, isolated (own mount, PID and network namespaces, own
# uid, rlimits). Timeouts per cell come from Execute.timeout above; these add the rest.
c.Grader.preload = ["numpy", "pandas", "matplotlib.pyplot", "hocso.checks"]  # imported once
c.SandboxExecute.notebook_timeout = 600  # seconds for a whole notebook
c.SandboxExecute.memory_mb = 1024  # MiB a submission may allocate
c.SandboxExecute.max_processes = 32  # a fork bomb stops here
c.SandboxExecute.max_output_bytes = 1_000_000  # output kept per cell
