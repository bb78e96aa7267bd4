"""The names IPython runs as line magics without their ``%`` when automagic is on (its default).

Taken from IPython 9's default shell (``%lsmagic``: its own magics, the ``storemagic`` extension
it loads by default, and the shell aliases it defines on Linux, macOS and Windows) and from the
magics ipykernel adds for notebooks. keras-lint does not import IPython to read them.
"""

from __future__ import annotations

_IPYTHON_LINE_MAGICS = """
    alias alias_magic autoawait autocall automagic bookmark cd code_wrap colors conda config
    debug dhist dirs doctest_mode ed edit env gui hist history killbgscripts load load_ext
    loadpy logoff logon logstart logstate logstop lsmagic macro magic mamba matplotlib
    micromamba notebook page pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd pprint precision
    prun psearch psource pushd pwd pycat pylab quickref recall rehashx reload_ext rep rerun reset
    reset_selective run save sc set_env store sx system tb time timeit unalias unload_ext uv who
    who_ls whos xdel xmode
"""
#: ``%alias`` shell commands IPython defines at start (``ls`` and friends; Windows: ``dir``'s)
_DEFAULT_SHELL_ALIASES = """
    cat cp ldir lf lk ll ls lx mkdir mv rm rmdir
    copy ddir echo ren
"""
#: ipykernel's ``KernelMagics``
_KERNEL_LINE_MAGICS = "autosave clear cls connect_info less man more qtconsole subshell"

LINE_MAGICS = frozenset(
    " ".join([_IPYTHON_LINE_MAGICS, _DEFAULT_SHELL_ALIASES, _KERNEL_LINE_MAGICS]).split()
)
