//! Arguments the binding converts itself, so that a wrong JavaScript type is `ERR_VALIDATION`.
//!
//! napi's own conversion of an argument fails before the binding runs, with napi's status as
//! the code (`InvalidArg`, `NumberExpected`, ...) or, for `null`, V8's `TypeError`. The main
//! entry points take such arguments as `unknown` and convert them with [`convert`], which
//! turns every failure into `ERR_VALIDATION` naming the property at fault.

use napi::bindgen_prelude::{FromNapiValue, Object, TypeName, Unknown};
use napi::{Env, JsValue, ValueType, sys};

use crate::error::{Fallible, invalid};

/// Converts the argument `value` (called `field` in the signature) to `T`.
///
/// # Errors
/// `ERR_VALIDATION` on the property napi names (else `field`) when `value` does not have
/// `T`'s shape: wrong type, missing field, unknown enum string or command `type`.
pub fn convert<T: FromNapiValue + TypeName>(
    env: &Env,
    field: &str,
    value: Unknown<'_>,
) -> Fallible<T> {
    let kind = value
        .get_type()
        .map_err(|e| invalid(field, e.reason.clone()))?;
    if T::value_type() == ValueType::Object && kind != ValueType::Object {
        return Err(invalid(
            field,
            format!("expected an object, got {}", name_of(kind)),
        ));
    }

    // SAFETY: both handles come from the running call's environment.
    match unsafe { T::from_napi_value(env.raw(), value.raw()) } {
        Ok(converted) => Ok(converted),
        Err(error) => {
            let reason = take_exception(env).unwrap_or_else(|| error.reason.clone());
            let at = field_of(&reason).unwrap_or_else(|| field.to_owned());
            Err(invalid(&at, reason))
        }
    }
}

/// As [`convert`], with `undefined` and `null` meaning absent.
///
/// # Errors
/// As [`convert`].
pub fn convert_opt<T: FromNapiValue + TypeName>(
    env: &Env,
    field: &str,
    value: Option<Unknown<'_>>,
) -> Fallible<Option<T>> {
    match value {
        Some(value) if !matches!(value.get_type(), Ok(ValueType::Null | ValueType::Undefined)) => {
            convert(env, field, value).map(Some)
        }
        _ => Ok(None),
    }
}

/// Refuses properties of the object `value` other than `known`: a misspelt option would
/// otherwise be ignored silently and its default used. Values other than objects pass
/// (`convert` judges them).
///
/// # Errors
/// `ERR_VALIDATION` on the first unknown property.
pub fn known_keys(env: &Env, field: &str, value: Unknown<'_>, known: &[&str]) -> Fallible<()> {
    if !value.get_type().is_ok_and(|t| t == ValueType::Object) {
        return Ok(());
    }
    // SAFETY: as in `convert`; `value` is an object.
    let object = unsafe { Object::from_napi_value(env.raw(), value.raw()) }
        .map_err(|e| invalid(field, e.reason.clone()))?;
    let keys = Object::keys(&object).map_err(|e| invalid(field, e.reason.clone()))?;
    match keys.into_iter().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(invalid(
            &unknown,
            format!("unknown property of {field}; known: {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// The property a napi conversion message names: `... on NewIncident.channel`, ``Missing
/// field `shortDescription` ``, or `type` for an unknown command.
fn field_of(reason: &str) -> Option<String> {
    if let Some(rest) = reason.strip_prefix("Missing field `") {
        return rest.split('`').next().map(str::to_owned);
    }
    if reason.starts_with("Unknown variant `") {
        return Some("type".to_owned());
    }
    let path = reason.split(" on ").nth(1)?;
    let name = path.split_once('.')?.1;
    let name = name.split_whitespace().next()?;
    Some(name.to_owned())
}

/// Clears an exception V8 left pending during the conversion (for example reading a
/// property of `null`), returning its message, so that the binding's own error is thrown.
fn take_exception(env: &Env) -> Option<String> {
    let mut pending = false;
    // SAFETY: plain N-API calls on the running call's environment.
    unsafe {
        if sys::napi_is_exception_pending(env.raw(), &mut pending) != sys::Status::napi_ok
            || !pending
        {
            return None;
        }
        let mut exception = std::ptr::null_mut();
        if sys::napi_get_and_clear_last_exception(env.raw(), &mut exception) != sys::Status::napi_ok
        {
            return None;
        }
        let object = Object::from_napi_value(env.raw(), exception).ok()?;
        object.get::<String>("message").ok().flatten()
    }
}

fn name_of(kind: ValueType) -> &'static str {
    match kind {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Function => "a function",
        ValueType::BigInt => "a bigint",
        _ => "another type",
    }
}
