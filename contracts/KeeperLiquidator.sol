// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IKeeperAavePool {
  function liquidationCall(
    address collateralAsset,
    address debtAsset,
    address user,
    uint256 debtToCover,
    bool receiveAToken
  ) external;

  // Returns Aave V3's ReserveData (ReserveDataLegacy from 3.1 on): 15 static words, of which
  // only aTokenAddress, the 9th, is read (see _aTokenOf).
  function getReserveData(address asset) external view;
}

interface IKeeperScaledBalanceToken {
  function scaledBalanceOf(address user) external view returns (uint256);
}

/// keeper's own liquidator for one Aave V3 Pool. Only the owner (keeper's wallet) may call it.
///
/// Why a contract instead of calling the Pool from the wallet: between keeper's decision and its
/// transaction's inclusion, someone else may repay or liquidate the account. A plain
/// liquidationCall then reverts and burns its whole gas limit; here the transaction first compares
/// the account's scaled variable debt with what keeper saw and, when it shrank, stops at a cost of
/// well under 40,000 gas, without reverting.
///
/// Funding: the contract spends its own balance of the debt asset when it holds enough; otherwise
/// it pulls exactly debtToCover from the owner (who approves this contract once per asset). What
/// was pulled and not spent, and everything seized, goes back to the owner in the same transaction:
/// after a liquidation funded by the owner the contract holds nothing and allows the Pool nothing.
contract KeeperLiquidator {
  address public immutable owner;
  address public immutable pool;

  event Liquidated(
    address indexed user,
    address indexed collateral,
    address indexed debt,
    uint256 debtRepaid,
    uint256 collateralReceived
  );
  /// The account's debt shrank since keeper looked: nothing was done.
  event Skipped(address indexed user);
  /// The Pool refused (health factor back above 1, reserve paused, ...): funds went back.
  event LiquidationRefused(address indexed user);
  event Withdrawn(address indexed token, uint256 amount);

  error NotOwner();
  error ZeroAddress();
  error SameAsset();
  error TokenCallFailed(address token);
  error EthTransferFailed();

  constructor(address pool_, address owner_) {
    if (pool_ == address(0) || owner_ == address(0)) revert ZeroAddress();
    pool = pool_;
    owner = owner_;
  }

  modifier onlyOwner() {
    if (msg.sender != owner) revert NotOwner();
    _;
  }

  /// ETH can be parked here and swept back with sweep(address(0)).
  receive() external payable {}

  /// @param collateral        underlying asset to seize
  /// @param debt              underlying asset to repay
  /// @param user              the account to liquidate
  /// @param debtToCover       exact amount of `debt` to repay (not type(uint256).max: it is pulled)
  /// @param variableDebtToken the variable debt token of `debt`, for the cheap re-check
  /// @param minScaledDebt     the user's scaled variable debt when keeper decided; less now means
  ///                          someone repaid or liquidated first, and the call stops (0: no check)
  /// @param receiveAToken     seize aTokens instead of the underlying
  function liquidate(
    address collateral,
    address debt,
    address user,
    uint256 debtToCover,
    address variableDebtToken,
    uint256 minScaledDebt,
    bool receiveAToken
  ) external onlyOwner {
    if (
      minScaledDebt != 0 &&
      IKeeperScaledBalanceToken(variableDebtToken).scaledBalanceOf(user) < minScaledDebt
    ) {
      emit Skipped(user);
      return;
    }
    // With one token both seized and repaid, balances cannot tell the two amounts apart.
    if (collateral == debt && !receiveAToken) revert SameAsset();

    uint256 pulled;
    if (_balanceOf(debt) < debtToCover) {
      _pull(debt, debtToCover);
      pulled = debtToCover;
    }
    address seizedToken = receiveAToken ? _aTokenOf(collateral) : collateral;
    uint256 debtBefore = _balanceOf(debt);
    uint256 seizedBefore = _balanceOf(seizedToken);

    _approve(debt, pool, debtToCover);
    try IKeeperAavePool(pool).liquidationCall(collateral, debt, user, debtToCover, receiveAToken) {
      // handled below, outside the try block
    } catch {
      _approve(debt, pool, 0);
      if (pulled != 0) _send(debt, owner, pulled);
      emit LiquidationRefused(user);
      return;
    }
    // The Pool may take less than approved (close factor, not enough collateral): allow it nothing.
    _approve(debt, pool, 0);
    uint256 repaid = debtBefore - _balanceOf(debt);
    uint256 seized = _balanceOf(seizedToken) - seizedBefore;
    if (pulled > repaid) _send(debt, owner, pulled - repaid);
    if (seized != 0) _send(seizedToken, owner, seized);
    emit Liquidated(user, collateral, debt, repaid, seized);
  }

  /// Sends `amount` of `token` (address(0): ETH) to the owner.
  function withdraw(address token, uint256 amount) external onlyOwner {
    _withdraw(token, amount);
  }

  /// Sends the whole balance of `token` (address(0): ETH) to the owner.
  function sweep(address token) external onlyOwner {
    _withdraw(token, token == address(0) ? address(this).balance : _balanceOf(token));
  }

  function _withdraw(address token, uint256 amount) private {
    if (token == address(0)) {
      (bool ok, ) = owner.call{value: amount}("");
      if (!ok) revert EthTransferFailed();
    } else {
      _send(token, owner, amount);
    }
    emit Withdrawn(token, amount);
  }

  function _aTokenOf(address asset) private view returns (address) {
    // Decoding all 15 words as a tuple is "stack too deep" without via-IR: read the one needed.
    (bool ok, bytes memory data) = pool.staticcall(
      abi.encodeWithSelector(IKeeperAavePool.getReserveData.selector, asset)
    );
    if (!ok || data.length < 15 * 32) revert TokenCallFailed(pool);
    uint256 word;
    assembly {
      word := mload(add(data, 0x120)) // 32 (length) + 8 * 32
    }
    return address(uint160(word));
  }

  function _balanceOf(address token) private view returns (uint256) {
    (bool ok, bytes memory data) = token.staticcall(
      abi.encodeWithSelector(0x70a08231, address(this)) // balanceOf(address)
    );
    if (!ok || data.length < 32) revert TokenCallFailed(token);
    return abi.decode(data, (uint256));
  }

  function _pull(address token, uint256 amount) private {
    // transferFrom(address,address,uint256)
    _tokenCall(token, abi.encodeWithSelector(0x23b872dd, owner, address(this), amount));
  }

  function _send(address token, address to, uint256 amount) private {
    _tokenCall(token, abi.encodeWithSelector(0xa9059cbb, to, amount)); // transfer(address,uint256)
  }

  function _approve(address token, address spender, uint256 amount) private {
    _tokenCall(token, abi.encodeWithSelector(0x095ea7b3, spender, amount)); // approve(address,uint256)
  }

  /// Tokens that return nothing (USDT and its kind) count as success; `false` or a revert does not.
  /// A call to an address without code "succeeds" with no data, so code is required.
  function _tokenCall(address token, bytes memory data) private {
    (bool ok, bytes memory ret) = token.call(data);
    if (!ok || (ret.length == 0 ? token.code.length == 0 : !abi.decode(ret, (bool))))
      revert TokenCallFailed(token);
  }
}
