/* cuflow_pycall: a CPython extension that calls a C kernel's entry point with NumPy
   arrays, ints and floats (built by cpu/native.py with the Python and NumPy headers).

   Every kernel library exports, beside each kernel f, an entry
       intptr_t f_entry(const intptr_t *ints, const double *floats)
   that unpacks its arguments from two arrays (entry.h writes them). call(addr, sig,
   *args) reads one argument per code of the string sig: 'p' a C-contiguous array's data
   pointer (or an int address, None for NULL), 'n' an int, both into `ints`; 'f' a float
   into `floats`; in order. It calls the entry and returns its result. That costs ~0.1-0.2 us where ctypes paid ~0.5 us per array pointer plus ~1 us
   of argument conversion: the small kernels of a training step run in a few us.
   call() keeps the GIL (a kernel of a few us would wait longer to get it back);
   call_nogil() releases it, for kernels long enough that other threads should run. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <stdint.h>

#define MAX_INTS 48
#define MAX_FLOATS 16

typedef intptr_t (*entry_fn)(const intptr_t *, const double *);

static int unpack(PyObject *const *args, Py_ssize_t nargs, entry_fn *fn, intptr_t *ints,
                  double *floats) {
    if (nargs < 2) {
        PyErr_SetString(PyExc_TypeError, "call(entry_address, signature, *args): too few "
                        "arguments");
        return -1;
    }
    void *addr = PyLong_AsVoidPtr(args[0]);
    if (addr == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "call(): null entry address");
        return -1;
    }
    *fn = (entry_fn)addr;
    Py_ssize_t len;
    const char *sig = PyUnicode_AsUTF8AndSize(args[1], &len);
    if (sig == NULL) return -1;
    if (len != nargs - 2) {
        PyErr_Format(PyExc_TypeError, "call(): signature '%s' takes %zd arguments, got %zd",
                     sig, len, nargs - 2);
        return -1;
    }
    int ni = 0, nf = 0;
    for (Py_ssize_t k = 0; k < len; k++) {
        PyObject *o = args[k + 2];
        if (sig[k] == 'f') {
            if (nf == MAX_FLOATS) goto too_many;
            double v = PyFloat_Check(o) ? PyFloat_AS_DOUBLE(o) : PyFloat_AsDouble(o);
            if (v == -1.0 && PyErr_Occurred()) return -1;
            floats[nf++] = v;
            continue;
        }
        if (ni == MAX_INTS) goto too_many;
        if (sig[k] == 'p' && PyArray_Check(o)) {
            if (!PyArray_IS_C_CONTIGUOUS((PyArrayObject *)o)) {
                PyErr_Format(PyExc_ValueError, "call(): argument %zd is not a C-contiguous "
                             "array", k);
                return -1;
            }
            ints[ni++] = (intptr_t)PyArray_DATA((PyArrayObject *)o);
        } else if (sig[k] == 'p' && o == Py_None) {
            ints[ni++] = 0;
        } else if (sig[k] == 'p' || sig[k] == 'n') {
            if (!PyIndex_Check(o)) {
                PyErr_Format(PyExc_TypeError, "call(): argument %zd: expected %s, got %.100s",
                             k, sig[k] == 'p' ? "an array, an address or None" : "an int",
                             Py_TYPE(o)->tp_name);
                return -1;
            }
            Py_ssize_t v = PyNumber_AsSsize_t(o, PyExc_OverflowError);
            if (v == -1 && PyErr_Occurred()) return -1;
            ints[ni++] = (intptr_t)v;
        } else {
            PyErr_Format(PyExc_ValueError, "call(): signature '%s': unknown code '%c' (p: "
                         "array or address, n: int, f: float)", sig, sig[k]);
            return -1;
        }
    }
    return 0;
too_many:
    PyErr_Format(PyExc_ValueError, "call(): more than %d integer or %d float arguments",
                 MAX_INTS, MAX_FLOATS);
    return -1;
}

static PyObject *call(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    entry_fn fn;
    intptr_t ints[MAX_INTS];
    double floats[MAX_FLOATS];
    if (unpack(args, nargs, &fn, ints, floats)) return NULL;
    return PyLong_FromSsize_t((Py_ssize_t)fn(ints, floats));
}

static PyObject *call_nogil(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    entry_fn fn;
    intptr_t ints[MAX_INTS], r;
    double floats[MAX_FLOATS];
    if (unpack(args, nargs, &fn, ints, floats)) return NULL;
    Py_BEGIN_ALLOW_THREADS
    r = fn(ints, floats);
    Py_END_ALLOW_THREADS
    return PyLong_FromSsize_t((Py_ssize_t)r);
}

static PyMethodDef methods[] = {
    {"call", (PyCFunction)(void (*)(void))call, METH_FASTCALL,
     "call(entry_address, signature, *args) -> int: runs a kernel entry (GIL held)."},
    {"call_nogil", (PyCFunction)(void (*)(void))call_nogil, METH_FASTCALL,
     "call_nogil(entry_address, signature, *args) -> int: the same, GIL released."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "cuflow_pycall",
                                    "Calls C kernel entries with NumPy arrays.", -1,
                                    methods};

PyMODINIT_FUNC PyInit_cuflow_pycall(void) {
    import_array();
    return PyModule_Create(&module);
}
